# Variable validations reject bad values at plan time, before anything reaches AWS.
# Each run changes one variable; every other value is valid.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  aws_region      = "eu-central-1"
  lambda_zip_path = "tests/fixtures/lambda-package.stub"
  website_dir     = "tests/fixtures/site"
}

run "accepts_the_defaults" {
  command = plan
}

run "rejects_a_missing_lambda_package" {
  command = plan

  variables {
    lambda_zip_path = "tests/fixtures/no-such-lambda.zip"
  }

  expect_failures = [var.lambda_zip_path]
}

run "rejects_a_missing_website_build" {
  command = plan

  variables {
    website_dir = "tests/fixtures/no-such-dist"
  }

  expect_failures = [var.website_dir]
}

run "rejects_a_malformed_region" {
  command = plan

  variables {
    aws_region = "Frankfurt"
  }

  expect_failures = [var.aws_region]
}

run "rejects_an_origin_with_a_path" {
  command = plan

  variables {
    extra_allowed_origins = ["https://chat.example.com/"]
  }

  expect_failures = [var.extra_allowed_origins]
}

run "rejects_too_little_memory" {
  command = plan

  variables {
    lambda_memory_mb = 64
  }

  expect_failures = [var.lambda_memory_mb]
}

run "rejects_a_timeout_beyond_the_integration_timeout" {
  command = plan

  variables {
    lambda_timeout_seconds = 30
  }

  expect_failures = [var.lambda_timeout_seconds]
}

run "rejects_an_unsupported_log_retention" {
  command = plan

  variables {
    log_retention_days = 10
  }

  expect_failures = [var.log_retention_days]
}

run "rejects_a_zero_message_length" {
  command = plan

  variables {
    max_message_length = 0
  }

  expect_failures = [var.max_message_length]
}

run "rejects_a_name_prefix_unfit_for_a_bucket" {
  command = plan

  variables {
    name_prefix = "Team_B"
  }

  expect_failures = [var.name_prefix]
}

run "rejects_zero_reserved_concurrency" {
  command = plan

  variables {
    reserved_concurrency = 0
  }

  expect_failures = [var.reserved_concurrency]
}

run "rejects_a_fractional_send_concurrency" {
  command = plan

  variables {
    send_concurrency = 2.5
  }

  expect_failures = [var.send_concurrency]
}

run "rejects_a_stage_name_with_a_space" {
  command = plan

  variables {
    stage_name = "my stage"
  }

  expect_failures = [var.stage_name]
}

run "rejects_a_negative_burst" {
  command = plan

  variables {
    throttle_burst_limit = -1
  }

  expect_failures = [var.throttle_burst_limit]
}

run "rejects_a_rate_above_the_account_quota" {
  command = plan

  variables {
    throttle_rate_limit = 20000
  }

  expect_failures = [var.throttle_rate_limit]
}

run "rejects_a_batch_size_above_ten" {
  command = plan

  variables {
    fanout_batch_size = 11
  }

  expect_failures = [var.fanout_batch_size]
}

run "rejects_a_maximum_concurrency_of_one" {
  command = plan

  variables {
    fanout_maximum_concurrency = 1
  }

  expect_failures = [var.fanout_maximum_concurrency]
}

run "rejects_a_zero_shard_size" {
  command = plan

  variables {
    shard_size = 0
  }

  expect_failures = [var.shard_size]
}

run "rejects_a_fractional_burst" {
  command = plan

  variables {
    rate_limit_burst = 1.5
  }

  expect_failures = [var.rate_limit_burst]
}

run "rejects_a_zero_rate" {
  command = plan

  variables {
    rate_limit_per_second = 0
  }

  expect_failures = [var.rate_limit_per_second]
}

run "rejects_a_history_of_no_messages" {
  command = plan

  variables {
    history_max_messages = 0
  }

  expect_failures = [var.history_max_messages]
}

run "rejects_a_negative_history_ttl" {
  command = plan

  variables {
    history_ttl_seconds = -1
  }

  expect_failures = [var.history_ttl_seconds]
}

run "accepts_an_alarm_email" {
  command = plan

  variables {
    alarm_email = "ops+chat@example.com"
  }
}

run "rejects_two_alarm_emails_in_one" {
  command = plan

  variables {
    alarm_email = "ops@example.com,dev@example.com"
  }

  expect_failures = [var.alarm_email]
}

run "rejects_an_alarm_email_without_a_domain" {
  command = plan

  variables {
    alarm_email = "ops"
  }

  expect_failures = [var.alarm_email]
}

run "rejects_a_queue_age_alarm_of_zero" {
  command = plan

  variables {
    fanout_age_alarm_seconds = 0
  }

  expect_failures = [var.fanout_age_alarm_seconds]
}

run "rejects_a_queue_age_alarm_past_the_queues_retention" {
  command = plan

  variables {
    fanout_age_alarm_seconds = 3601
  }

  expect_failures = [var.fanout_age_alarm_seconds]
}

# The maximums come from contract/contract.json, which the function checks its environment
# against at cold start: a value Terraform accepts never fails there.
run "accepts_every_setting_at_its_maximum" {
  command = plan

  variables {
    send_concurrency        = 1000
    shard_size              = 2000
    rate_limit_burst        = 1000
    rate_limit_per_second   = 1000
    history_max_messages    = 500
    history_ttl_seconds     = 31622400
    callback_rate_limit     = 100000
    delivery_window_seconds = 900
  }
}

run "rejects_every_setting_above_its_maximum" {
  command = plan

  variables {
    send_concurrency        = 1001
    shard_size              = 2001
    rate_limit_burst        = 1001
    rate_limit_per_second   = 1001
    history_max_messages    = 501
    history_ttl_seconds     = 31622401
    callback_rate_limit     = 100001
    delivery_window_seconds = 901
  }

  expect_failures = [
    var.send_concurrency,
    var.shard_size,
    var.rate_limit_burst,
    var.rate_limit_per_second,
    var.history_max_messages,
    var.history_ttl_seconds,
    var.callback_rate_limit,
    var.delivery_window_seconds,
  ]
}

run "rejects_a_zero_callback_budget" {
  command = plan

  variables {
    callback_rate_limit = 0
  }

  expect_failures = [var.callback_rate_limit]
}

run "rejects_a_fractional_delivery_window" {
  command = plan

  variables {
    delivery_window_seconds = 1.5
  }

  expect_failures = [var.delivery_window_seconds]
}

run "rejects_managing_the_logging_role_without_access_logs" {
  command = plan

  variables {
    enable_access_logs        = false
    manage_apigateway_account = true
  }

  expect_failures = [var.manage_apigateway_account]
}
