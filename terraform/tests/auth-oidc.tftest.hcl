# auth_mode = "oidc": any OpenID Connect issuer, named by variables; the same $connect authorizer
# as Cognito's (tests/auth-cognito.tftest.hcl), no user pool. Applied against the mocked provider.

mock_provider "aws" {
  source = "./tests/mocks"
}

# CloudFront's certificates come from us-east-1 (providers.tf); mocked the same way.
mock_provider "aws" {
  alias  = "us_east_1"
  source = "./tests/mocks"
}

# A second function, log group and role: the mock's defaults would give them the chat's ARNs.
override_resource {
  target = aws_lambda_function.authorizer
  values = {
    arn        = "arn:aws:lambda:eu-central-1:123456789012:function:awsome-chat-authorizer"
    invoke_arn = "arn:aws:apigateway:eu-central-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-central-1:123456789012:function:awsome-chat-authorizer/invocations"
  }
}

override_resource {
  target = aws_cloudwatch_log_group.authorizer
  values = {
    arn = "arn:aws:logs:eu-central-1:123456789012:log-group:/aws/lambda/awsome-chat-authorizer"
  }
}

override_resource {
  target = aws_iam_role.authorizer
  values = {
    arn = "arn:aws:iam::123456789012:role/awsome-chat-authorizer-mock"
  }
}

variables {
  aws_region          = "eu-central-1"
  lambda_zip_path     = "tests/fixtures/lambda-package.stub"
  authorizer_zip_path = "tests/fixtures/authorizer-package.stub"
  website_dir         = "tests/fixtures/site"
  enable_https        = true
  auth_mode           = "oidc"
  oidc_issuer         = "https://login.example.com/realms/chat"
  oidc_client_id      = "awsome-chat-page"
}

run "issuer_by_variables" {
  command = apply

  assert {
    condition     = length(aws_cognito_user_pool.this) == 0 && length(aws_cognito_user_pool_client.this) == 0 && length(aws_cognito_user_pool_domain.this) == 0
    error_message = "The oidc mode creates no user pool."
  }

  assert {
    condition = aws_lambda_function.authorizer[0].environment[0].variables == tomap({
      AUTH_MODE     = "oidc"
      AUTH_ISSUER   = "https://login.example.com/realms/chat"
      AUTH_AUDIENCE = "awsome-chat-page"
    })
    error_message = "The authorizer's environment must be exactly AUTH_MODE, AUTH_ISSUER and AUTH_AUDIENCE (the client id); the keys then come from the issuer's discovery document."
  }

  assert {
    condition     = aws_apigatewayv2_route.this["$connect"].authorization_type == "CUSTOM" && aws_apigatewayv2_route.this["$connect"].authorizer_id == aws_apigatewayv2_authorizer.this[0].id
    error_message = "$connect must pass the authorizer."
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables.AUTH_MODE == "oidc"
    error_message = "The chat function must know the mode."
  }

  assert {
    condition = aws_s3_object.config.content == templatefile("../frontend/config.js.tftpl", {
      config = {
        websocketUrl     = "wss://abc123.execute-api.eu-central-1.amazonaws.com/prod"
        maxMessageLength = jsondecode(file("../contract/contract.json")).limits.maxMessageLength
        auth = {
          mode     = "oidc"
          issuer   = "https://login.example.com/realms/chat"
          clientId = "awsome-chat-page"
        }
      }
    })
    error_message = "config.js must carry auth: the mode, the issuer and the client id, exactly as the authorizer checks them."
  }

  assert {
    condition     = strcontains(aws_s3_object.index.content, "connect-src wss://abc123.execute-api.eu-central-1.amazonaws.com/prod https://login.example.com; ")
    error_message = "The CSP's connect-src must add the issuer's origin after the WebSocket URL."
  }

  assert {
    condition = (
      output.sign_in_redirect_url == "https://d1mock.cloudfront.net/" &&
      output.cognito_user_pool_id == null && output.cognito_app_client_id == null && output.cognito_managed_login_url == null
    )
    error_message = "sign_in_redirect_url must give the address to register with the issuer; the Cognito outputs are null."
  }
}

run "optional_settings" {
  command = apply

  variables {
    oidc_jwks_uri        = "https://login.example.com/realms/chat/protocol/openid-connect/certs"
    oidc_scope           = "openid profile email"
    oidc_connect_origins = ["https://tokens.example.com"]
    auth_name_claims     = ["preferred_username", "name"]
  }

  assert {
    condition = aws_lambda_function.authorizer[0].environment[0].variables == tomap({
      AUTH_MODE        = "oidc"
      AUTH_ISSUER      = "https://login.example.com/realms/chat"
      AUTH_AUDIENCE    = "awsome-chat-page"
      AUTH_JWKS_URI    = "https://login.example.com/realms/chat/protocol/openid-connect/certs"
      AUTH_NAME_CLAIMS = "preferred_username,name"
    })
    error_message = "oidc_jwks_uri and auth_name_claims must set AUTH_JWKS_URI and AUTH_NAME_CLAIMS (comma-separated, in order)."
  }

  assert {
    condition     = strcontains(aws_s3_object.config.content, "\"scope\":\"openid profile email\"")
    error_message = "oidc_scope must reach config.js's auth.scope."
  }

  assert {
    condition     = strcontains(aws_s3_object.index.content, "connect-src wss://abc123.execute-api.eu-central-1.amazonaws.com/prod https://login.example.com https://tokens.example.com; ")
    error_message = "oidc_connect_origins must join the CSP's connect-src after the issuer's origin."
  }
}
