# What the operator sees: CloudWatch alarms on whatever loses or delays messages, the SNS topic
# they notify (with an optional e-mail subscription), and a dashboard of the fan-out. The
# function's own metrics come from the Embedded Metric Format lines it writes (namespace, names and
# dimension in contract/contract.json); the rest are AWS's (AWS/Lambda, AWS/SQS).
# docs/operating.md says how to read the dashboard, and what each alarm means and what to do.

locals {
  metrics      = local.contract.metrics
  metric_names = local.contract.metrics.names
  # The function publishes its metrics with one dimension, service = its own name, so several
  # stacks in one account stay apart.
  function_metric_dimensions = {
    (local.metrics.serviceDimension) = aws_lambda_function.this.function_name
  }

  # One alarm each, all alike but for the metric and the threshold: over the threshold in one
  # minute, notify; back under it, notify again. No data (nothing happened) is not an alarm.
  alarms = {
    dead-letter-queue = {
      description = "Broadcast work is waiting in the fan-out dead-letter queue (${aws_sqs_queue.fanout_dlq.name}): recipients were not reached within the delivery window. See docs/operating.md: find the cause, then redrive the queue."
      namespace   = "AWS/SQS"
      metric_name = "ApproximateNumberOfMessagesVisible"
      dimensions  = { QueueName = aws_sqs_queue.fanout_dlq.name }
      statistic   = "Maximum"
      threshold   = 0
    }
    dead-lettered = {
      description = "The function dead-lettered recipients it could not reach within the delivery window (metric ${local.metric_names.deadLettered}). See docs/operating.md."
      namespace   = local.metrics.namespace
      metric_name = local.metric_names.deadLettered
      dimensions  = local.function_metric_dimensions
      statistic   = "Sum"
      threshold   = 0
    }
    dead-letter-failed = {
      description = "The dead-letter queue refused recipients the function could not reach (metric ${local.metric_names.deadLetterFailed}): they are lost, counted only here and in the function's error log lines. See docs/operating.md."
      namespace   = local.metrics.namespace
      metric_name = local.metric_names.deadLetterFailed
      dimensions  = local.function_metric_dimensions
      statistic   = "Sum"
      threshold   = 0
    }
    function-errors = {
      description = "Invocations of ${aws_lambda_function.this.function_name} failed (threw, timed out or ran out of memory). See docs/operating.md."
      namespace   = "AWS/Lambda"
      metric_name = "Errors"
      dimensions  = { FunctionName = aws_lambda_function.this.function_name }
      statistic   = "Sum"
      threshold   = 0
    }
    function-throttles = {
      description = "Lambda refused invocations of ${aws_lambda_function.this.function_name} for lack of concurrency. See docs/operating.md."
      namespace   = "AWS/Lambda"
      metric_name = "Throttles"
      dimensions  = { FunctionName = aws_lambda_function.this.function_name }
      statistic   = "Sum"
      threshold   = 0
    }
    fanout-queue-age = {
      description = "Broadcast work has waited more than ${var.fanout_age_alarm_seconds} s in the fan-out queue (${aws_sqs_queue.fanout.name}): the shard workers are behind. See docs/operating.md."
      namespace   = "AWS/SQS"
      metric_name = "ApproximateAgeOfOldestMessage"
      dimensions  = { QueueName = aws_sqs_queue.fanout.name }
      statistic   = "Maximum"
      threshold   = var.fanout_age_alarm_seconds
    }
  }

  # A metric of the function's, for a dashboard graph: [namespace, name, dimension, value, options].
  function_metric = {
    for key, name in local.metric_names : key => [
      local.metrics.namespace, name,
      local.metrics.serviceDimension, aws_lambda_function.this.function_name,
    ]
  }
  lambda_metric = {
    for name in ["Errors", "Throttles", "Duration"] : name => [
      "AWS/Lambda", name, "FunctionName", aws_lambda_function.this.function_name,
    ]
  }
  queue_metric = {
    for name in ["ApproximateNumberOfMessagesVisible", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed", "ApproximateAgeOfOldestMessage"] : name => [
      "AWS/SQS", name, "QueueName", aws_sqs_queue.fanout.name,
    ]
  }

  # Console hosts by partition: the provider exposes no dashboard URL, so it is composed from
  # what the provider does expose (partition, region, the dashboard's name).
  console_hosts = {
    aws        = "console.aws.amazon.com"
    aws-cn     = "console.amazonaws.cn"
    aws-us-gov = "console.amazonaws-us-gov.com"
  }
  console_host = lookup(local.console_hosts, data.aws_partition.current.partition, "console.aws.amazon.com")
}

# Not encrypted with KMS, on purpose: CloudWatch cannot publish to a topic encrypted with the AWS
# managed key (alias/aws/sns), whose key policy grants no service principal, and a customer managed
# key would cost a key a month and a key policy to keep, for notifications that carry an alarm's
# name, metric and threshold, never chat data. SNS still encrypts them in transit.
resource "aws_sns_topic" "alarms" {
  name = "${var.name_prefix}-alarms"
}

# CloudWatch may publish for this stack's alarms, and nothing else is granted: the topic's default
# policy would let any principal of the account publish, subscribe or change it.
resource "aws_sns_topic_policy" "alarms" {
  arn = aws_sns_topic.alarms.arn

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "AlarmsPublish"
      Effect    = "Allow"
      Principal = { Service = "cloudwatch.amazonaws.com" }
      Action    = "sns:Publish"
      Resource  = aws_sns_topic.alarms.arn
      Condition = {
        ArnLike      = { "aws:SourceArn" = [for alarm in aws_cloudwatch_metric_alarm.this : alarm.arn] }
        StringEquals = { "aws:SourceAccount" = aws_sns_topic.alarms.owner }
      }
    }]
  })
}

# AWS mails the address a confirmation link; nothing is delivered until it is followed.
resource "aws_sns_topic_subscription" "alarm_email" {
  count = var.alarm_email == null ? 0 : 1

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms

  alarm_name        = "${var.name_prefix}-${each.key}"
  alarm_description = each.value.description
  namespace         = each.value.namespace
  metric_name       = each.value.metric_name
  dimensions        = each.value.dimensions
  statistic         = each.value.statistic
  period            = 60

  comparison_operator = "GreaterThanThreshold"
  threshold           = each.value.threshold
  evaluation_periods  = 1
  datapoints_to_alarm = 1
  treat_missing_data  = "notBreaching"

  alarm_actions = [aws_sns_topic.alarms.arn]
  ok_actions    = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.name_prefix

  # 24 columns wide; each graph one minute per point. docs/operating.md reads it graph by graph.
  dashboard_body = jsonencode({
    widgets = [
      {
        type   = "text"
        x      = 0
        y      = 0
        width  = 24
        height = 2
        properties = {
          markdown = "## ${var.name_prefix}: message delivery\nEvery accepted message reaches each member, is retried, or ends in the dead-letter queue. How to read these graphs and what to do about each alarm: `docs/operating.md` in the repository."
        }
      },
      {
        type   = "metric"
        x      = 0
        y      = 2
        width  = 12
        height = 6
        properties = {
          title  = "Recipients per minute"
          region = local.region
          view   = "timeSeries"
          period = 60
          stat   = "Sum"
          metrics = [
            concat(local.function_metric.delivered, [{ label = "delivered" }]),
            concat(local.function_metric.gone, [{ label = "gone (left)" }]),
            concat(local.function_metric.throttled, [{ label = "throttled (429, posted again)" }]),
            concat(local.function_metric.retried, [{ label = "retried later (queued)" }]),
            concat(local.function_metric.handedOff, [{ label = "handed off to shard workers" }]),
            concat(local.function_metric.deadLettered, [{ label = "dead-lettered", color = "#d62728" }]),
            concat(local.function_metric.deadLetterFailed, [{ label = "lost (dead-letter queue refused)", color = "#7f0000" }]),
          ]
        }
      },
      {
        type   = "metric"
        x      = 12
        y      = 2
        width  = 12
        height = 6
        properties = {
          title  = "Time to last delivery (ms)"
          region = local.region
          view   = "timeSeries"
          period = 60
          metrics = [
            concat(local.function_metric.timeToLastDelivery, [{ stat = "p50", label = "p50" }]),
            concat(local.function_metric.timeToLastDelivery, [{ stat = "p99", label = "p99" }]),
          ]
        }
      },
      {
        type   = "metric"
        x      = 0
        y      = 8
        width  = 12
        height = 6
        properties = {
          title  = "Connections and messages"
          region = local.region
          view   = "timeSeries"
          period = 60
          metrics = [
            concat(local.function_metric.openConnections, [{ stat = "Maximum", label = "open connections" }]),
            concat(local.function_metric.messagesAccepted, [{ stat = "Sum", label = "messages accepted per minute", yAxis = "right" }]),
          ]
        }
      },
      {
        type   = "metric"
        x      = 12
        y      = 8
        width  = 12
        height = 6
        properties = {
          title  = "Fan-out queue (messages)"
          region = local.region
          view   = "timeSeries"
          period = 60
          stat   = "Maximum"
          metrics = [
            concat(local.queue_metric.ApproximateNumberOfMessagesVisible, [{ label = "waiting" }]),
            concat(local.queue_metric.ApproximateNumberOfMessagesNotVisible, [{ label = "being worked on" }]),
            concat(local.queue_metric.ApproximateNumberOfMessagesDelayed, [{ label = "waiting to be retried" }]),
            ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", aws_sqs_queue.fanout_dlq.name, { label = "dead-letter queue", color = "#d62728" }],
          ]
        }
      },
      {
        type   = "metric"
        x      = 0
        y      = 14
        width  = 8
        height = 6
        properties = {
          title  = "Oldest fan-out work waiting (s)"
          region = local.region
          view   = "timeSeries"
          period = 60
          stat   = "Maximum"
          metrics = [
            concat(local.queue_metric.ApproximateAgeOfOldestMessage, [{ label = "age of the oldest message" }]),
          ]
          annotations = {
            horizontal = [{ label = "alarm", value = var.fanout_age_alarm_seconds }]
          }
        }
      },
      {
        type   = "metric"
        x      = 8
        y      = 14
        width  = 8
        height = 6
        properties = {
          title  = "Function errors and throttles"
          region = local.region
          view   = "timeSeries"
          period = 60
          stat   = "Sum"
          metrics = [
            concat(local.lambda_metric.Errors, [{ label = "errors", color = "#d62728" }]),
            concat(local.lambda_metric.Throttles, [{ label = "throttles" }]),
          ]
        }
      },
      {
        type   = "metric"
        x      = 16
        y      = 14
        width  = 8
        height = 6
        properties = {
          title  = "Function duration (ms)"
          region = local.region
          view   = "timeSeries"
          period = 60
          metrics = [
            concat(local.lambda_metric.Duration, [{ stat = "p50", label = "p50" }]),
            concat(local.lambda_metric.Duration, [{ stat = "p99", label = "p99" }]),
            concat(local.lambda_metric.Duration, [{ stat = "Maximum", label = "maximum" }]),
          ]
          annotations = {
            horizontal = [{ label = "timeout", value = var.lambda_timeout_seconds * 1000 }]
          }
        }
      },
      {
        type   = "alarm"
        x      = 0
        y      = 20
        width  = 24
        height = 3
        properties = {
          title  = "Alarms"
          alarms = [for key in keys(local.alarms) : aws_cloudwatch_metric_alarm.this[key].arn]
        }
      },
    ]
  })
}
