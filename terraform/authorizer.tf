# The $connect authorizer of the sign-in modes (auth_mode "cognito" or "oidc"): a function of its
# own (backend/src/authorizer-handler.ts, bundled by `npm run build`) that checks the ID token a
# client offers in Sec-WebSocket-Protocol, and API Gateway's REQUEST authorizer that runs it before
# $connect (api.tf attaches it to that route). Nothing here exists with auth_mode = "none".

locals {
  authorizer_function_name = "${var.name_prefix}-authorizer"

  # Read at cold start (backend/src/auth/authorizer-config.ts). Unset rather than empty where the
  # authorizer has a default: the JWKS from the issuer's discovery document, the contract's name
  # claims.
  authorizer_environment = {
    for name, value in {
      (local.env_names.authMode)       = var.auth_mode
      (local.env_names.authUserPoolId) = local.cognito ? aws_cognito_user_pool.this[0].id : null
      (local.env_names.authIssuer)     = local.cognito ? null : local.auth_issuer
      (local.env_names.authAudience)   = local.auth_client_id
      (local.env_names.authJwksUri)    = var.oidc_jwks_uri
      (local.env_names.authNameClaims) = var.auth_name_claims == null ? null : join(",", var.auth_name_claims)
    } : name => value if value != null
  }
}

# Created before the function (see depends_on) so Lambda never auto-creates it without retention.
resource "aws_cloudwatch_log_group" "authorizer" {
  count = local.auth_enabled ? 1 : 0

  name              = "/aws/lambda/${local.authorizer_function_name}"
  retention_in_days = var.log_retention_days
}

resource "aws_iam_role" "authorizer" {
  count = local.auth_enabled ? 1 : 0

  # A generated suffix: IAM is global, so the same prefix may be deployed in several regions.
  name_prefix = "${var.name_prefix}-authorizer-"
  description = "Runs the ${local.authorizer_function_name} Lambda function"

  assume_role_policy = local.lambda_assume_role_policy
}

# Its logs, nothing else: it checks a token against the issuer's public keys, fetched over the
# internet, and touches no table, queue or connection.
resource "aws_iam_role_policy" "authorizer" {
  count = local.auth_enabled ? 1 : 0

  name = "write-own-logs"
  role = aws_iam_role.authorizer[0].id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      # No logs:CreateLogGroup: Terraform owns the log group.
      Sid      = "WriteOwnLogs"
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = ["${aws_cloudwatch_log_group.authorizer[0].arn}:*"]
    }]
  })
}

resource "aws_lambda_function" "authorizer" {
  count = local.auth_enabled ? 1 : 0

  function_name = local.authorizer_function_name
  description   = "AWSome Chat: checks the ID token of each WebSocket handshake ($connect authorizer)"
  role          = aws_iam_role.authorizer[0].arn

  filename         = var.authorizer_zip_path
  source_code_hash = filebase64sha256(var.authorizer_zip_path)
  handler          = "index.handler"
  runtime          = local.contract.lambda.runtime
  architectures    = [local.contract.lambda.architecture]

  # A warm check takes well under a millisecond. The first handshake of a container fetches the
  # issuer's keys: aws-jwt-verify waits 3 s for an answer and tries once more, so a slow issuer
  # can take about 6 s (an oidc issuer's discovery document comes first when oidc_jwks_uri is
  # unset). 256 MB: the bundle is small; Lambda's CPU share, and the cold start, follow memory.
  memory_size = 256
  timeout     = 10

  environment {
    variables = local.authorizer_environment
  }

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.authorizer[0].name
  }

  depends_on = [
    aws_cloudwatch_log_group.authorizer,
    aws_iam_role_policy.authorizer,
  ]
}

# WebSocket APIs take REQUEST (Lambda) authorizers, not JWT ones. The identity source is the one
# header a browser can set on a handshake: without it API Gateway answers 401 and invokes nothing.
# No result TTL: API Gateway caches no authorizer results for WebSocket APIs, so every handshake
# is checked afresh.
resource "aws_apigatewayv2_authorizer" "this" {
  count = local.auth_enabled ? 1 : 0

  api_id           = aws_apigatewayv2_api.this.id
  name             = "${var.name_prefix}-sign-in"
  authorizer_type  = "REQUEST"
  authorizer_uri   = aws_lambda_function.authorizer[0].invoke_arn
  identity_sources = ["route.request.header.Sec-WebSocket-Protocol"]
}

# Scoped to this authorizer of this API: arn:aws:execute-api:<region>:<account>:<api>/authorizers/<id>.
resource "aws_lambda_permission" "authorizer" {
  count = local.auth_enabled ? 1 : 0

  statement_id  = "AllowInvokeAsWebSocketAuthorizer"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.authorizer[0].function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.this.execution_arn}/authorizers/${aws_apigatewayv2_authorizer.this[0].id}"
}
