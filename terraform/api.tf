resource "aws_apigatewayv2_api" "this" {
  name                       = "${var.name_prefix}-websocket"
  description                = "AWSome Chat WebSocket API"
  protocol_type              = "WEBSOCKET"
  route_selection_expression = local.contract.routeSelectionExpression
}

# One Lambda proxy integration serves every route; the function dispatches on the route key.
resource "aws_apigatewayv2_integration" "this" {
  api_id             = aws_apigatewayv2_api.this.id
  integration_type   = "AWS_PROXY"
  integration_method = "POST"
  integration_uri    = aws_lambda_function.this.invoke_arn
}

resource "aws_apigatewayv2_route" "this" {
  for_each = toset(local.contract.routes)

  api_id    = aws_apigatewayv2_api.this.id
  route_key = each.value
  target    = "integrations/${aws_apigatewayv2_integration.this.id}"

  # With sign-in, the handshake passes the authorizer (authorizer.tf) first. The other routes
  # need none: API Gateway repeats the handshake's verified context on every later event.
  authorization_type = local.auth_enabled && each.value == "$connect" ? "CUSTOM" : "NONE"
  authorizer_id      = local.auth_enabled && each.value == "$connect" ? aws_apigatewayv2_authorizer.this[0].id : null
}

# A new deployment whenever a route or the integration changes; the stage then switches to it.
resource "aws_apigatewayv2_deployment" "this" {
  api_id      = aws_apigatewayv2_api.this.id
  description = "Routes and integration as of this apply"

  # What a deployment snapshots: each route and where it leads. Only values this configuration
  # sets (and the ids, which change on replacement), not whole resources: an attribute the API
  # reports differently on a later read (request_parameters coming back as {} instead of null,
  # seen against moto) must not force a new deployment on every apply. Add any new route,
  # integration or authorizer argument here.
  triggers = {
    redeployment = sha1(jsonencode([
      aws_apigatewayv2_integration.this.id,
      aws_apigatewayv2_integration.this.integration_type,
      aws_apigatewayv2_integration.this.integration_method,
      aws_apigatewayv2_integration.this.integration_uri,
      [for key, route in aws_apigatewayv2_route.this : [key, route.id, route.target, route.authorization_type, route.authorizer_id]],
      [for authorizer in aws_apigatewayv2_authorizer.this : [authorizer.id, authorizer.authorizer_uri, authorizer.identity_sources]],
    ]))
  }

  lifecycle {
    create_before_destroy = true
  }

  depends_on = [aws_apigatewayv2_route.this]
}

resource "aws_apigatewayv2_stage" "this" {
  api_id        = aws_apigatewayv2_api.this.id
  name          = local.stage_name
  deployment_id = aws_apigatewayv2_deployment.this.id

  # A token bucket shared by all clients of the stage: it caps cost, not one client's share.
  default_route_settings {
    throttling_burst_limit = var.throttle_burst_limit
    throttling_rate_limit  = var.throttle_rate_limit
  }

  dynamic "access_log_settings" {
    for_each = var.enable_access_logs ? [1] : []

    content {
      destination_arn = aws_cloudwatch_log_group.api_access[0].arn
      format          = local.access_log_format
    }
  }

  # Access logging fails unless the region's API Gateway account has a CloudWatch role.
  depends_on = [aws_api_gateway_account.this]
}

# Scoped to this API's stage: any route of it, nothing else.
resource "aws_lambda_permission" "this" {
  statement_id  = "AllowInvokeFromWebSocketApi"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.this.execution_arn}/${local.stage_name}/*"
}

# --- Access logs ------------------------------------------------------------------------------

locals {
  # One JSON line per connect, message and disconnect: who, which route, how it ended, and how long
  # the function took. No message bodies: WebSocket access logs offer only $context variables, and
  # none of them holds a frame's text. AWS requires $context.requestId (or extendedRequestId) in
  # every access log format, and caps a format at 3 KB (tests/stack.tftest.hcl checks both).
  access_log_format = jsonencode({
    requestId            = "$context.requestId"
    requestTime          = "$context.requestTime"
    connectionId         = "$context.connectionId"
    eventType            = "$context.eventType"
    routeKey             = "$context.routeKey"
    status               = "$context.status"
    error                = "$context.error.message"
    errorType            = "$context.error.responseType"
    integrationStatus    = "$context.integration.status"
    integrationError     = "$context.integration.error"
    integrationLatencyMs = "$context.integrationLatency"
    # Lambda's request id for the invocation: the function's own log line carries it too.
    integrationRequestId = "$context.integration.requestId"
    sourceIp             = "$context.identity.sourceIp"
  })
}

resource "aws_cloudwatch_log_group" "api_access" {
  count = var.enable_access_logs ? 1 : 0

  name              = "/aws/apigateway/${var.name_prefix}-websocket/access"
  retention_in_days = var.log_retention_days
}

# API Gateway writes access logs with the CloudWatch role set on the Region's API Gateway account:
# one setting per account and Region, used by every REST and WebSocket API there and often owned
# by another stack. Managed here only when asked to (manage_apigateway_account).
resource "aws_iam_role" "apigateway_cloudwatch" {
  count = var.manage_apigateway_account ? 1 : 0

  name_prefix = "${var.name_prefix}-apigw-logs-"
  description = "Lets API Gateway write the ${var.name_prefix} WebSocket API's access logs to CloudWatch Logs"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "ApiGatewayAssumesRole"
      Effect    = "Allow"
      Principal = { Service = "apigateway.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

# Instead of the AWS-managed AmazonAPIGatewayPushToCloudWatchLogs, which allows these actions on
# every log group of the account ("Resource": "*"): the same actions, which AWS documents as the
# ones API Gateway needs (API Gateway Developer Guide, "Permissions for CloudWatch logging"), on
# this stack's access log group only. AWS documents no narrower set of actions, and does not
# require the managed policy itself. Execution logs stay off, so API Gateway gets nothing on its
# own API-Gateway-Execution-Logs_* groups.
resource "aws_iam_role_policy" "apigateway_cloudwatch" {
  count = var.manage_apigateway_account ? 1 : 0

  name = "write-access-logs"
  role = aws_iam_role.apigateway_cloudwatch[0].id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid    = "WriteAccessLogs"
      Effect = "Allow"
      Action = [
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:DescribeLogGroups",
        "logs:DescribeLogStreams",
        "logs:PutLogEvents",
        "logs:GetLogEvents",
        "logs:FilterLogEvents",
      ]
      # The group, and its streams.
      Resource = [
        aws_cloudwatch_log_group.api_access[0].arn,
        "${aws_cloudwatch_log_group.api_access[0].arn}:*",
      ]
    }]
  })
}

resource "aws_api_gateway_account" "this" {
  count = var.manage_apigateway_account ? 1 : 0

  cloudwatch_role_arn = aws_iam_role.apigateway_cloudwatch[0].arn
  # Without it, destroy only forgets the setting and leaves it naming the deleted role. Deprecated
  # in provider 5.x (hence a warning) because 6.0 always resets on destroy.
  reset_on_delete = true

  depends_on = [aws_iam_role_policy.apigateway_cloudwatch]
}
