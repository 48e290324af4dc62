# Variable validations reject bad values at plan time, before anything reaches AWS.
# Each run changes one variable; every other value is valid.

mock_provider "aws" {
  source = "./tests/mocks"
}

# CloudFront's certificates come from us-east-1 (providers.tf); mocked the same way.
mock_provider "aws" {
  alias  = "us_east_1"
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
    send_concurrency                = 1000
    shard_size                      = 2000
    rate_limit_burst                = 1000
    rate_limit_per_second           = 1000
    history_max_messages            = 500
    history_ttl_seconds             = 31622400
    callback_rate_limit             = 100000
    delivery_window_seconds         = 900
    max_connections_per_person      = 100
    source_ip_rate_limit_burst      = 1000
    source_ip_rate_limit_per_second = 1000
  }
}

run "rejects_every_setting_above_its_maximum" {
  command = plan

  variables {
    send_concurrency                = 1001
    shard_size                      = 2001
    rate_limit_burst                = 1001
    rate_limit_per_second           = 1001
    history_max_messages            = 501
    history_ttl_seconds             = 31622401
    callback_rate_limit             = 100001
    delivery_window_seconds         = 901
    max_connections_per_person      = 101
    source_ip_rate_limit_burst      = 1001
    source_ip_rate_limit_per_second = 1001
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
    var.max_connections_per_person,
    var.source_ip_rate_limit_burst,
    var.source_ip_rate_limit_per_second,
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

# --- Custom names: each certificate variable needs domain_name, and certificates come from exactly
# one place (certificate_arn or route53_zone_id).

run "accepts_a_domain_with_certificates" {
  command = plan

  variables {
    enable_https              = true
    domain_name               = "chat.example.com"
    certificate_arn           = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-1111-1111-1111-111111111111"
    websocket_certificate_arn = "arn:aws:acm:eu-central-1:123456789012:certificate/22222222-2222-2222-2222-222222222222"
  }
}

run "accepts_a_domain_with_a_zone" {
  command = plan

  variables {
    enable_https    = true
    domain_name     = "chat.example.com"
    route53_zone_id = "Z0123456789ABCDEFGHIJ"
  }
}

run "rejects_a_domain_without_https" {
  command = plan

  variables {
    domain_name     = "chat.example.com"
    route53_zone_id = "Z0123456789ABCDEFGHIJ"
  }

  expect_failures = [var.domain_name]
}

run "rejects_a_domain_with_a_scheme" {
  command = plan

  variables {
    enable_https    = true
    domain_name     = "https://chat.example.com"
    route53_zone_id = "Z0123456789ABCDEFGHIJ"
  }

  expect_failures = [var.domain_name]
}

run "rejects_a_domain_in_capitals" {
  command = plan

  variables {
    enable_https    = true
    domain_name     = "Chat.Example.com"
    route53_zone_id = "Z0123456789ABCDEFGHIJ"
  }

  expect_failures = [var.domain_name]
}

run "rejects_a_domain_without_certificates" {
  command = plan

  variables {
    enable_https = true
    domain_name  = "chat.example.com"
  }

  expect_failures = [var.route53_zone_id]
}

run "rejects_certificates_and_a_zone_together" {
  command = plan

  variables {
    enable_https    = true
    domain_name     = "chat.example.com"
    certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-1111-1111-1111-111111111111"
    route53_zone_id = "Z0123456789ABCDEFGHIJ"
  }

  expect_failures = [var.route53_zone_id]
}

run "rejects_a_page_certificate_outside_us_east_1" {
  command = plan

  variables {
    enable_https    = true
    domain_name     = "chat.example.com"
    certificate_arn = "arn:aws:acm:eu-central-1:123456789012:certificate/11111111-1111-1111-1111-111111111111"
  }

  expect_failures = [var.certificate_arn]
}

run "rejects_a_certificate_without_a_domain" {
  command = plan

  variables {
    enable_https    = true
    certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-1111-1111-1111-111111111111"
  }

  expect_failures = [var.certificate_arn]
}

run "rejects_a_websocket_certificate_without_the_page_certificate" {
  command = plan

  variables {
    enable_https              = true
    domain_name               = "chat.example.com"
    route53_zone_id           = "Z0123456789ABCDEFGHIJ"
    websocket_certificate_arn = "arn:aws:acm:eu-central-1:123456789012:certificate/22222222-2222-2222-2222-222222222222"
  }

  expect_failures = [var.websocket_certificate_arn]
}

run "rejects_a_malformed_websocket_certificate" {
  command = plan

  variables {
    enable_https              = true
    domain_name               = "chat.example.com"
    certificate_arn           = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-1111-1111-1111-111111111111"
    websocket_certificate_arn = "22222222-2222-2222-2222-222222222222"
  }

  expect_failures = [var.websocket_certificate_arn]
}

run "rejects_a_zone_without_a_domain" {
  command = plan

  variables {
    enable_https    = true
    route53_zone_id = "Z0123456789ABCDEFGHIJ"
  }

  expect_failures = [var.route53_zone_id]
}

run "rejects_a_zone_id_with_its_path" {
  command = plan

  variables {
    enable_https    = true
    domain_name     = "chat.example.com"
    route53_zone_id = "/hostedzone/Z0123456789ABCDEFGHIJ"
  }

  expect_failures = [var.route53_zone_id]
}

run "rejects_a_websocket_name_equal_to_the_page_name" {
  command = plan

  variables {
    enable_https          = true
    domain_name           = "chat.example.com"
    websocket_domain_name = "chat.example.com"
    route53_zone_id       = "Z0123456789ABCDEFGHIJ"
  }

  expect_failures = [var.websocket_domain_name]
}

run "rejects_a_websocket_name_without_a_domain" {
  command = plan

  variables {
    enable_https          = true
    websocket_domain_name = "chat-ws.example.com"
  }

  expect_failures = [var.websocket_domain_name]
}

run "rejects_a_wildcard_websocket_name" {
  command = plan

  variables {
    enable_https          = true
    domain_name           = "chat.example.com"
    websocket_domain_name = "*.example.com"
    route53_zone_id       = "Z0123456789ABCDEFGHIJ"
  }

  expect_failures = [var.websocket_domain_name]
}

# --- Sign-in (auth_mode) ------------------------------------------------------------------------

run "accepts_cognito_with_https" {
  command = plan

  variables {
    enable_https        = true
    auth_mode           = "cognito"
    authorizer_zip_path = "tests/fixtures/authorizer-package.stub"
  }
}

run "accepts_oidc_with_https" {
  command = plan

  variables {
    enable_https        = true
    auth_mode           = "oidc"
    oidc_issuer         = "https://login.example.com"
    oidc_client_id      = "awsome-chat-page"
    authorizer_zip_path = "tests/fixtures/authorizer-package.stub"
  }
}

run "rejects_an_unknown_auth_mode" {
  command = plan

  variables {
    enable_https = true
    auth_mode    = "jwt"
  }

  expect_failures = [var.auth_mode]
}

run "rejects_cognito_without_https" {
  command = plan

  variables {
    auth_mode           = "cognito"
    authorizer_zip_path = "tests/fixtures/authorizer-package.stub"
  }

  expect_failures = [var.auth_mode]
}

run "rejects_oidc_without_https" {
  command = plan

  variables {
    auth_mode           = "oidc"
    oidc_issuer         = "https://login.example.com"
    oidc_client_id      = "awsome-chat-page"
    authorizer_zip_path = "tests/fixtures/authorizer-package.stub"
  }

  expect_failures = [var.auth_mode]
}

run "rejects_a_missing_authorizer_package" {
  command = plan

  variables {
    enable_https        = true
    auth_mode           = "cognito"
    authorizer_zip_path = "tests/fixtures/no-such-authorizer.zip"
  }

  expect_failures = [var.authorizer_zip_path]
}

run "needs_no_authorizer_package_without_sign_in" {
  command = plan

  variables {
    authorizer_zip_path = "tests/fixtures/no-such-authorizer.zip"
  }
}

run "rejects_oidc_without_an_issuer_or_client" {
  command = plan

  variables {
    enable_https        = true
    auth_mode           = "oidc"
    authorizer_zip_path = "tests/fixtures/authorizer-package.stub"
  }

  expect_failures = [var.oidc_issuer, var.oidc_client_id]
}

run "rejects_a_plain_http_issuer" {
  command = plan

  variables {
    enable_https        = true
    auth_mode           = "oidc"
    oidc_issuer         = "http://login.example.com"
    oidc_client_id      = "awsome-chat-page"
    authorizer_zip_path = "tests/fixtures/authorizer-package.stub"
  }

  expect_failures = [var.oidc_issuer]
}

run "rejects_an_issuer_with_a_query" {
  command = plan

  variables {
    enable_https        = true
    auth_mode           = "oidc"
    oidc_issuer         = "https://login.example.com/?tenant=chat"
    oidc_client_id      = "awsome-chat-page"
    authorizer_zip_path = "tests/fixtures/authorizer-package.stub"
  }

  expect_failures = [var.oidc_issuer]
}

run "rejects_oidc_settings_in_another_mode" {
  command = plan

  variables {
    enable_https         = true
    auth_mode            = "cognito"
    oidc_issuer          = "https://login.example.com"
    oidc_client_id       = "awsome-chat-page"
    oidc_jwks_uri        = "https://login.example.com/keys"
    oidc_scope           = "openid"
    oidc_connect_origins = ["https://tokens.example.com"]
    authorizer_zip_path  = "tests/fixtures/authorizer-package.stub"
  }

  expect_failures = [var.oidc_issuer, var.oidc_client_id, var.oidc_jwks_uri, var.oidc_scope, var.oidc_connect_origins]
}

run "rejects_a_scope_without_openid" {
  command = plan

  variables {
    enable_https        = true
    auth_mode           = "oidc"
    oidc_issuer         = "https://login.example.com"
    oidc_client_id      = "awsome-chat-page"
    oidc_scope          = "profile email"
    authorizer_zip_path = "tests/fixtures/authorizer-package.stub"
  }

  expect_failures = [var.oidc_scope]
}

run "rejects_a_client_id_with_a_comma" {
  command = plan

  variables {
    enable_https        = true
    auth_mode           = "oidc"
    oidc_issuer         = "https://login.example.com"
    oidc_client_id      = "page,other"
    authorizer_zip_path = "tests/fixtures/authorizer-package.stub"
  }

  expect_failures = [var.oidc_client_id]
}

run "rejects_a_connect_origin_with_a_path" {
  command = plan

  variables {
    enable_https         = true
    auth_mode            = "oidc"
    oidc_issuer          = "https://login.example.com"
    oidc_client_id       = "awsome-chat-page"
    oidc_connect_origins = ["https://tokens.example.com/token"]
    authorizer_zip_path  = "tests/fixtures/authorizer-package.stub"
  }

  expect_failures = [var.oidc_connect_origins]
}

run "rejects_a_reserved_word_in_the_cognito_domain" {
  command = plan

  variables {
    enable_https          = true
    auth_mode             = "cognito"
    cognito_domain_prefix = "awsome-chat"
    authorizer_zip_path   = "tests/fixtures/authorizer-package.stub"
  }

  expect_failures = [var.cognito_domain_prefix]
}

run "rejects_a_cognito_domain_without_cognito" {
  command = plan

  variables {
    cognito_domain_prefix = "team-chat"
  }

  expect_failures = [var.cognito_domain_prefix]
}

run "rejects_name_claims_without_sign_in" {
  command = plan

  variables {
    auth_name_claims = ["name"]
  }

  expect_failures = [var.auth_name_claims]
}

run "rejects_an_empty_name_claim_list" {
  command = plan

  variables {
    enable_https        = true
    auth_mode           = "cognito"
    auth_name_claims    = []
    authorizer_zip_path = "tests/fixtures/authorizer-package.stub"
  }

  expect_failures = [var.auth_name_claims]
}
