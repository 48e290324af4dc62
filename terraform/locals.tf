locals {
  # The facts the Lambda, the local stack and this stack share: stage, routes, table key, TTL
  # attribute, environment variable names and message limits. Never repeat them here.
  contract = jsondecode(file("${path.module}/../contract/contract.json"))
  # The most each setting accepts: variables.tf validates against them, and the function checks
  # its environment against the same values at cold start.
  setting_maximums = local.contract.settingMaximums

  stage_name           = coalesce(var.stage_name, local.contract.stageName)
  max_message_length   = coalesce(var.max_message_length, local.contract.limits.maxMessageLength)
  rate_limit_burst     = coalesce(var.rate_limit_burst, local.contract.limits.rateLimitBurst)
  history_max_messages = coalesce(var.history_max_messages, local.contract.limits.historyMaxMessages)
  # 0 is a value here (no message text kept), so a null test rather than coalesce's emptiness.
  history_ttl_seconds   = var.history_ttl_seconds == null ? local.contract.limits.historyTtlSeconds : var.history_ttl_seconds
  rate_limit_per_second = coalesce(var.rate_limit_per_second, local.contract.limits.rateLimitPerSecond)

  # The stage's WebSocket URL (what its invoke_url is), for config.js, the CSP and the output, and
  # the management API endpoint the function posts to: the same URL over https. Built from the API,
  # not the stage: the stage depends on the function, whose environment holds the endpoint and
  # whose ALLOWED_ORIGINS depends on the distribution, whose headers carry the CSP.
  websocket_url       = "${aws_apigatewayv2_api.this.api_endpoint}/${local.stage_name}"
  management_endpoint = replace(local.websocket_url, "wss://", "https://")

  # The page's origin: CloudFront's https:// domain with enable_https, else the S3 website's.
  website_origin = (var.enable_https
    ? "https://${aws_cloudfront_distribution.this[0].domain_name}"
    : "http://${aws_s3_bucket_website_configuration.this[0].website_endpoint}"
  )
  allowed_origins = concat([local.website_origin], var.extra_allowed_origins)

  tags = merge(
    {
      Application = var.name_prefix
      ManagedBy   = "terraform"
    },
    var.tags,
  )
}
