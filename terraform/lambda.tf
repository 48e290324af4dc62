locals {
  function_name = "${var.name_prefix}-chat"
  env_names     = local.contract.environment
}

# Created before the function (see depends_on) so Lambda never auto-creates it without retention.
resource "aws_cloudwatch_log_group" "lambda" {
  name              = "/aws/lambda/${local.function_name}"
  retention_in_days = var.log_retention_days
}

resource "aws_lambda_function" "this" {
  function_name = local.function_name
  description   = "AWSome Chat: WebSocket $connect, $disconnect, chat messages and broadcast shards"
  role          = aws_iam_role.lambda.arn

  filename         = var.lambda_zip_path
  source_code_hash = filebase64sha256(var.lambda_zip_path)
  handler          = "index.handler"
  # The runtime the tests, the local stack and the bundle's target follow (contract.json).
  runtime       = local.contract.lambda.runtime
  architectures = [local.contract.lambda.architecture]

  memory_size                    = var.lambda_memory_mb
  timeout                        = var.lambda_timeout_seconds
  reserved_concurrent_executions = var.reserved_concurrency

  environment {
    variables = merge(
      {
        (local.env_names.tableName)             = aws_dynamodb_table.connections.name
        (local.env_names.roomsTableName)        = aws_dynamodb_table.rooms.name
        (local.env_names.historyMaxMessages)    = tostring(local.history_max_messages)
        (local.env_names.historyTtlSeconds)     = tostring(local.history_ttl_seconds)
        (local.env_names.apigwEndpoint)         = local.management_endpoint
        (local.env_names.allowedOrigins)        = join(",", local.allowed_origins)
        (local.env_names.maxMessageLength)      = tostring(local.max_message_length)
        (local.env_names.shardQueueUrl)         = aws_sqs_queue.fanout.url
        (local.env_names.rateLimitBurst)        = tostring(local.rate_limit_burst)
        (local.env_names.rateLimitPerSecond)    = tostring(local.rate_limit_per_second)
        (local.env_names.callbackRateLimit)     = tostring(var.callback_rate_limit)
        (local.env_names.deliveryWindowSeconds) = tostring(var.delivery_window_seconds)
        (local.env_names.deadLetterQueueUrl)    = aws_sqs_queue.fanout_dlq.url
        # With sign-in every event must carry the authorizer's verified sender, and budgets and
        # caps are per user; without, per source address.
        (local.env_names.authMode)                = var.auth_mode
        (local.env_names.maxConnectionsPerPerson) = tostring(local.max_connections_per_person)
      },
      # Unset rather than empty, so the function's built-in defaults apply.
      var.send_concurrency == null ? {} : {
        (local.env_names.sendConcurrency) = tostring(var.send_concurrency)
      },
      var.shard_size == null ? {} : {
        (local.env_names.shardSize) = tostring(var.shard_size)
      },
      # Unset, they equal RATE_LIMIT_BURST and RATE_LIMIT_PER_SECOND.
      var.source_ip_rate_limit_burst == null ? {} : {
        (local.env_names.sourceIpRateLimitBurst) = tostring(var.source_ip_rate_limit_burst)
      },
      var.source_ip_rate_limit_per_second == null ? {} : {
        (local.env_names.sourceIpRateLimitPerSecond) = tostring(var.source_ip_rate_limit_per_second)
      },
    )
  }

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.lambda.name
  }

  # The policy must be attached before the first invocation, the log group exist before Lambda
  # could create it on its own.
  depends_on = [
    aws_cloudwatch_log_group.lambda,
    aws_iam_role_policy.lambda,
  ]
}
