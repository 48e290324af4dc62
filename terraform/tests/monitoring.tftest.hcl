# The operator's side against a mocked AWS provider: the alarms, the SNS topic they notify, the
# e-mail subscription and the dashboard. Metric names come from contract/contract.json, written
# out here literally, so a renamed metric shows up as a failing assertion.

mock_provider "aws" {
  source = "./tests/mocks"
}

# CloudFront's certificates come from us-east-1 (providers.tf); mocked the same way.
mock_provider "aws" {
  alias  = "us_east_1"
  source = "./tests/mocks"
}

override_resource {
  target = aws_sqs_queue.fanout
  values = {
    arn = "arn:aws:sqs:eu-central-1:123456789012:awsome-chat-fanout"
    url = "https://sqs.eu-central-1.amazonaws.com/123456789012/awsome-chat-fanout"
  }
}

override_resource {
  target = aws_sqs_queue.fanout_dlq
  values = {
    arn = "arn:aws:sqs:eu-central-1:123456789012:awsome-chat-fanout-dlq"
    url = "https://sqs.eu-central-1.amazonaws.com/123456789012/awsome-chat-fanout-dlq"
  }
}

override_resource {
  target = aws_dynamodb_table.rooms
  values = {
    arn = "arn:aws:dynamodb:eu-central-1:123456789012:table/awsome-chat-rooms"
  }
}

variables {
  aws_region      = "eu-central-1"
  lambda_zip_path = "tests/fixtures/lambda-package.stub"
  website_dir     = "tests/fixtures/site"
}

run "alarms" {
  command = apply

  assert {
    condition = toset([for alarm in aws_cloudwatch_metric_alarm.this : alarm.alarm_name]) == toset([
      "awsome-chat-dead-letter-queue",
      "awsome-chat-dead-lettered",
      "awsome-chat-dead-letter-failed",
      "awsome-chat-function-errors",
      "awsome-chat-function-throttles",
      "awsome-chat-fanout-queue-age",
    ])
    error_message = "Expected exactly the alarms on the dead-letter queue, dead-lettered and lost recipients, function errors and throttles, and the fan-out queue's age."
  }

  assert {
    condition = alltrue([for alarm in aws_cloudwatch_metric_alarm.this :
      alarm.alarm_actions == toset(["arn:aws:sns:eu-central-1:123456789012:awsome-chat-alarms"]) &&
      alarm.ok_actions == toset(["arn:aws:sns:eu-central-1:123456789012:awsome-chat-alarms"])
    ])
    error_message = "Every alarm must notify the alarm topic when it fires and when it clears."
  }

  assert {
    condition = alltrue([for alarm in aws_cloudwatch_metric_alarm.this :
      alarm.period == 60 && alarm.evaluation_periods == 1 && alarm.datapoints_to_alarm == 1 &&
      alarm.comparison_operator == "GreaterThanThreshold" && alarm.treat_missing_data == "notBreaching"
    ])
    error_message = "Every alarm must fire on one minute over its threshold, and treat no data as nothing wrong."
  }

  assert {
    condition = alltrue([for alarm in aws_cloudwatch_metric_alarm.this :
      strcontains(alarm.alarm_description, "docs/operating.md")
    ])
    error_message = "Every alarm's description must point at docs/operating.md."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.this["dead-letter-queue"].namespace == "AWS/SQS" &&
      aws_cloudwatch_metric_alarm.this["dead-letter-queue"].metric_name == "ApproximateNumberOfMessagesVisible" &&
      aws_cloudwatch_metric_alarm.this["dead-letter-queue"].dimensions == tomap({ QueueName = "awsome-chat-fanout-dlq" }) &&
      aws_cloudwatch_metric_alarm.this["dead-letter-queue"].statistic == "Maximum" &&
      aws_cloudwatch_metric_alarm.this["dead-letter-queue"].threshold == 0
    )
    error_message = "The dead-letter queue alarm must fire as soon as one message waits in it."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.this["dead-lettered"].namespace == "AWSomeChat" &&
      aws_cloudwatch_metric_alarm.this["dead-lettered"].metric_name == "DeadLettered" &&
      aws_cloudwatch_metric_alarm.this["dead-lettered"].dimensions == tomap({ service = "awsome-chat-chat" }) &&
      aws_cloudwatch_metric_alarm.this["dead-lettered"].statistic == "Sum" &&
      aws_cloudwatch_metric_alarm.this["dead-lettered"].threshold == 0
    )
    error_message = "The dead-lettered alarm must watch the function's DeadLettered metric (namespace AWSomeChat, service = the function's name) above 0."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.this["dead-letter-failed"].namespace == "AWSomeChat" &&
      aws_cloudwatch_metric_alarm.this["dead-letter-failed"].metric_name == "DeadLetterFailed" &&
      aws_cloudwatch_metric_alarm.this["dead-letter-failed"].dimensions == tomap({ service = "awsome-chat-chat" }) &&
      aws_cloudwatch_metric_alarm.this["dead-letter-failed"].threshold == 0
    )
    error_message = "The lost-recipients alarm must watch the function's DeadLetterFailed metric above 0."
  }

  assert {
    condition = alltrue([for key, metric in { function-errors = "Errors", function-throttles = "Throttles" } :
      aws_cloudwatch_metric_alarm.this[key].namespace == "AWS/Lambda" &&
      aws_cloudwatch_metric_alarm.this[key].metric_name == metric &&
      aws_cloudwatch_metric_alarm.this[key].dimensions == tomap({ FunctionName = "awsome-chat-chat" }) &&
      aws_cloudwatch_metric_alarm.this[key].statistic == "Sum" &&
      aws_cloudwatch_metric_alarm.this[key].threshold == 0
    ])
    error_message = "The function alarms must fire on any error or throttle of the chat function."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.this["fanout-queue-age"].namespace == "AWS/SQS" &&
      aws_cloudwatch_metric_alarm.this["fanout-queue-age"].metric_name == "ApproximateAgeOfOldestMessage" &&
      aws_cloudwatch_metric_alarm.this["fanout-queue-age"].dimensions == tomap({ QueueName = "awsome-chat-fanout" }) &&
      aws_cloudwatch_metric_alarm.this["fanout-queue-age"].statistic == "Maximum" &&
      aws_cloudwatch_metric_alarm.this["fanout-queue-age"].threshold == 30
    )
    error_message = "The queue age alarm must fire when the fan-out queue's oldest message is older than 30 s by default."
  }
}

run "alarm_topic" {
  command = apply

  assert {
    condition     = aws_sns_topic.alarms.name == "awsome-chat-alarms" && aws_sns_topic.alarms.kms_master_key_id == null
    error_message = "The alarm topic must be named after the prefix, without the AWS managed key CloudWatch cannot publish with."
  }

  assert {
    condition = jsondecode(aws_sns_topic_policy.alarms.policy).Statement == [{
      Sid       = "AlarmsPublish"
      Effect    = "Allow"
      Principal = { Service = "cloudwatch.amazonaws.com" }
      Action    = "sns:Publish"
      Resource  = "arn:aws:sns:eu-central-1:123456789012:awsome-chat-alarms"
      Condition = {
        ArnLike      = { "aws:SourceArn" = [for alarm in aws_cloudwatch_metric_alarm.this : alarm.arn] }
        StringEquals = { "aws:SourceAccount" = "123456789012" }
      }
    }]
    error_message = "Only CloudWatch, for this stack's alarms in this account, may publish to the topic."
  }

  assert {
    condition     = aws_sns_topic_policy.alarms.arn == aws_sns_topic.alarms.arn
    error_message = "The policy must be the alarm topic's."
  }

  assert {
    condition     = length(aws_sns_topic_subscription.alarm_email) == 0
    error_message = "Without alarm_email nobody is subscribed."
  }
}

run "dashboard" {
  command = apply

  assert {
    condition     = aws_cloudwatch_dashboard.this.dashboard_name == "awsome-chat"
    error_message = "The dashboard must be named after the prefix."
  }

  assert {
    condition = toset(flatten([
      for widget in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets :
      [for metric in try(widget.properties.metrics, []) : "${metric[0]}/${metric[1]}"]
      ])) == toset([
      "AWSomeChat/Delivered",
      "AWSomeChat/Gone",
      "AWSomeChat/Throttled",
      "AWSomeChat/Retried",
      "AWSomeChat/HandedOff",
      "AWSomeChat/DeadLettered",
      "AWSomeChat/DeadLetterFailed",
      "AWSomeChat/TimeToLastDelivery",
      "AWSomeChat/OpenConnections",
      "AWSomeChat/MessagesAccepted",
      "AWS/SQS/ApproximateNumberOfMessagesVisible",
      "AWS/SQS/ApproximateNumberOfMessagesNotVisible",
      "AWS/SQS/ApproximateNumberOfMessagesDelayed",
      "AWS/SQS/ApproximateAgeOfOldestMessage",
      "AWS/Lambda/Errors",
      "AWS/Lambda/Throttles",
      "AWS/Lambda/Duration",
    ])
    error_message = "The dashboard must graph every delivery metric, the connections and messages, the fan-out queue and the function."
  }

  assert {
    condition = toset(flatten([
      for widget in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets :
      [for metric in try(widget.properties.metrics, []) : metric[4].stat if metric[1] == "TimeToLastDelivery"]
    ])) == toset(["p50", "p99"])
    error_message = "The time to last delivery must be shown as its p50 and p99."
  }

  assert {
    condition = alltrue(flatten([
      for widget in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets :
      [for metric in try(widget.properties.metrics, []) : metric[2] == "service" && metric[3] == "awsome-chat-chat" if metric[0] == "AWSomeChat"]
    ]))
    error_message = "The function's metrics must be read with its service dimension, the function's name."
  }

  assert {
    condition = alltrue([
      for widget in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets :
      widget.properties.region == "eu-central-1" if widget.type == "metric"
    ])
    error_message = "Every graph must read the region the stack is deployed to."
  }

  assert {
    condition = one([
      for widget in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets :
      widget.properties.alarms if widget.type == "alarm"
    ]) == [for key in sort(keys(aws_cloudwatch_metric_alarm.this)) : aws_cloudwatch_metric_alarm.this[key].arn]
    error_message = "The dashboard must show the state of every alarm."
  }

  assert {
    condition = alltrue([
      for widget in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets :
      widget.x + widget.width <= 24
    ])
    error_message = "No widget may reach past the dashboard's 24 columns."
  }
}

run "outputs" {
  command = apply

  assert {
    condition     = output.alarm_topic_arn == "arn:aws:sns:eu-central-1:123456789012:awsome-chat-alarms"
    error_message = "alarm_topic_arn must be the alarm topic's ARN."
  }

  assert {
    condition     = output.dashboard_url == "https://console.aws.amazon.com/cloudwatch/home?region=eu-central-1#dashboards/dashboard/awsome-chat"
    error_message = "dashboard_url must open the dashboard in the region's CloudWatch console."
  }

  assert {
    condition     = output.fanout_queue_arn == "arn:aws:sqs:eu-central-1:123456789012:awsome-chat-fanout"
    error_message = "fanout_queue_arn must be the fan-out queue's ARN, where the dead-letter queue is redriven to."
  }
}

run "alarm_settings_come_from_variables" {
  command = apply

  variables {
    alarm_email              = "ops@example.com"
    fanout_age_alarm_seconds = 120
  }

  assert {
    condition = (
      aws_sns_topic_subscription.alarm_email[0].protocol == "email" &&
      aws_sns_topic_subscription.alarm_email[0].endpoint == "ops@example.com" &&
      aws_sns_topic_subscription.alarm_email[0].topic_arn == aws_sns_topic.alarms.arn
    )
    error_message = "alarm_email must subscribe that address to the alarm topic by e-mail."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["fanout-queue-age"].threshold == 120
    error_message = "The queue age alarm's threshold must come from fanout_age_alarm_seconds."
  }

  assert {
    condition = one(flatten([
      for widget in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets :
      [for line in try(widget.properties.annotations.horizontal, []) : line.value if line.label == "alarm"]
    ])) == 120
    error_message = "The dashboard must draw the queue age alarm's threshold."
  }
}
