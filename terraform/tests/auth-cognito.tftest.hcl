# auth_mode = "cognito": a user pool with the page as its public app client, the managed login
# pages, and the $connect authorizer. Applied against the mocked provider like
# tests/stack.tftest.hcl; here only what sign-in adds or changes.

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
  auth_mode           = "cognito"
}

run "user_pool" {
  command = apply

  assert {
    condition     = aws_cognito_user_pool.this[0].name == "awsome-chat-users" && aws_cognito_user_pool.this[0].user_pool_tier == "LITE"
    error_message = "The user pool must be named after name_prefix, on the Lite plan (all the classic managed login needs)."
  }

  assert {
    condition     = aws_cognito_user_pool.this[0].username_attributes == toset(["email"]) && aws_cognito_user_pool.this[0].auto_verified_attributes == toset(["email"])
    error_message = "People must sign in with an e-mail address they confirmed."
  }

  assert {
    condition     = aws_cognito_user_pool.this[0].admin_create_user_config[0].allow_admin_create_user_only == false
    error_message = "Self sign-up must be on by default (cognito_self_sign_up = true)."
  }

  assert {
    condition = [for attribute in aws_cognito_user_pool.this[0].schema : [attribute.name, attribute.required, attribute.mutable]] == [
      ["name", true, true],
    ]
    error_message = "name must be asked for at sign-up (required, and changeable later), so display names are never user-xxxxxx."
  }
}

run "app_client" {
  command = apply

  assert {
    condition     = aws_cognito_user_pool_client.this[0].user_pool_id == aws_cognito_user_pool.this[0].id && aws_cognito_user_pool_client.this[0].generate_secret == false
    error_message = "The page's client must be a public client of the pool: a browser keeps no secret."
  }

  assert {
    condition = (
      aws_cognito_user_pool_client.this[0].allowed_oauth_flows_user_pool_client &&
      aws_cognito_user_pool_client.this[0].allowed_oauth_flows == toset(["code"]) &&
      aws_cognito_user_pool_client.this[0].allowed_oauth_scopes == toset(["openid", "profile"]) &&
      aws_cognito_user_pool_client.this[0].supported_identity_providers == toset(["COGNITO"])
    )
    error_message = "The client must use the authorization code flow only (the page adds PKCE), with the openid and profile scopes the page asks for, on the pool's own accounts."
  }

  assert {
    condition     = aws_cognito_user_pool_client.this[0].callback_urls == toset(["https://d1mock.cloudfront.net/"]) && aws_cognito_user_pool_client.this[0].logout_urls == toset(["https://d1mock.cloudfront.net/"])
    error_message = "Sign-in and sign-out must both return to the page's folder, with its trailing slash."
  }

  assert {
    condition     = aws_cognito_user_pool_client.this[0].explicit_auth_flows == toset(["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"]) && aws_cognito_user_pool_client.this[0].enable_token_revocation
    error_message = "The client must allow refresh tokens (the page renews with them) and SRP, nothing more, and let refresh tokens be revoked."
  }

  assert {
    condition     = aws_cognito_user_pool_client.this[0].read_attributes == toset(["email", "email_verified", "name"])
    error_message = "ID tokens must carry the name (and the address the person signed in with), no other attribute."
  }
}

run "managed_login" {
  command = apply

  assert {
    condition     = aws_cognito_user_pool_domain.this[0].domain == "chat-abcdef123" && aws_cognito_user_pool_domain.this[0].user_pool_id == aws_cognito_user_pool.this[0].id
    error_message = "The managed login domain must default to chat-<the pool id's suffix, lower-cased>."
  }

  assert {
    condition     = aws_cognito_user_pool_domain.this[0].managed_login_version == 1
    error_message = "The classic managed login (version 1): version 2 needs a branding style, which provider 5.100 cannot create."
  }

  assert {
    condition = (
      output.cognito_managed_login_url == "https://chat-abcdef123.auth.eu-central-1.amazoncognito.com" &&
      output.cognito_user_pool_id == "eu-central-1_AbCdEf123" &&
      output.cognito_app_client_id == "1example23456789abcdefghij" &&
      output.sign_in_redirect_url == "https://d1mock.cloudfront.net/"
    )
    error_message = "The outputs must give the managed login origin, the pool, the client and the redirect address."
  }
}

run "authorizer_function" {
  command = apply

  assert {
    condition = (
      aws_lambda_function.authorizer[0].function_name == "awsome-chat-authorizer" &&
      aws_lambda_function.authorizer[0].runtime == "nodejs22.x" &&
      aws_lambda_function.authorizer[0].architectures == tolist(["arm64"]) &&
      aws_lambda_function.authorizer[0].handler == "index.handler"
    )
    error_message = "The authorizer must be nodejs22.x on arm64 with handler index.handler, as the chat function."
  }

  assert {
    condition     = aws_lambda_function.authorizer[0].filename == "tests/fixtures/authorizer-package.stub" && aws_lambda_function.authorizer[0].source_code_hash == filebase64sha256("tests/fixtures/authorizer-package.stub")
    error_message = "The authorizer must deploy the package at authorizer_zip_path with its hash, so a rebuild redeploys."
  }

  assert {
    condition     = aws_lambda_function.authorizer[0].memory_size == 256 && aws_lambda_function.authorizer[0].timeout == 10
    error_message = "The authorizer gets 256 MB and 10 s (time for a slow issuer's keys on a cold start)."
  }

  assert {
    condition = aws_lambda_function.authorizer[0].environment[0].variables == tomap({
      AUTH_MODE         = "cognito"
      AUTH_USER_POOL_ID = "eu-central-1_AbCdEf123"
      AUTH_AUDIENCE     = "1example23456789abcdefghij"
    })
    error_message = "The authorizer's environment must be exactly AUTH_MODE, AUTH_USER_POOL_ID (the pool) and AUTH_AUDIENCE (the page's client); no issuer, JWKS or name claims of its own."
  }

  assert {
    condition     = aws_lambda_function.authorizer[0].logging_config[0].log_format == "JSON" && aws_lambda_function.authorizer[0].logging_config[0].log_group == "/aws/lambda/awsome-chat-authorizer" && aws_cloudwatch_log_group.authorizer[0].retention_in_days == 14
    error_message = "The authorizer must log JSON to its own log group, kept log_retention_days."
  }

  assert {
    condition = jsondecode(aws_iam_role_policy.authorizer[0].policy).Statement == [{
      Sid      = "WriteOwnLogs"
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = ["arn:aws:logs:eu-central-1:123456789012:log-group:/aws/lambda/awsome-chat-authorizer:*"]
    }]
    error_message = "The authorizer's role may write its own logs, and nothing else."
  }

  assert {
    condition     = aws_lambda_function.authorizer[0].role == aws_iam_role.authorizer[0].arn && jsondecode(aws_iam_role.authorizer[0].assume_role_policy).Statement[0].Principal == { Service = "lambda.amazonaws.com" }
    error_message = "The authorizer must run with a role of its own, which only Lambda may assume."
  }

  assert {
    condition     = output.authorizer_log_group_name == "/aws/lambda/awsome-chat-authorizer"
    error_message = "authorizer_log_group_name must name the authorizer's log group."
  }
}

run "authorizer_on_connect" {
  command = apply

  assert {
    condition = (
      aws_apigatewayv2_authorizer.this[0].api_id == aws_apigatewayv2_api.this.id &&
      aws_apigatewayv2_authorizer.this[0].authorizer_type == "REQUEST" &&
      aws_apigatewayv2_authorizer.this[0].authorizer_uri == aws_lambda_function.authorizer[0].invoke_arn &&
      aws_apigatewayv2_authorizer.this[0].identity_sources == toset(["route.request.header.Sec-WebSocket-Protocol"])
    )
    error_message = "A REQUEST authorizer running the authorizer function, whose identity source is the Sec-WebSocket-Protocol header."
  }

  assert {
    condition = (
      { for key, route in aws_apigatewayv2_route.this : key => route.authorization_type } == { "$connect" = "CUSTOM", "$default" = "NONE", "$disconnect" = "NONE" } &&
      aws_apigatewayv2_route.this["$connect"].authorizer_id == "authz1" &&
      aws_apigatewayv2_route.this["$default"].authorizer_id == null && aws_apigatewayv2_route.this["$disconnect"].authorizer_id == null
    )
    error_message = "Only $connect passes the authorizer; later events carry the handshake's context."
  }

  assert {
    condition = (
      aws_lambda_permission.authorizer[0].function_name == "awsome-chat-authorizer" &&
      aws_lambda_permission.authorizer[0].principal == "apigateway.amazonaws.com" &&
      aws_lambda_permission.authorizer[0].source_arn == "arn:aws:execute-api:eu-central-1:123456789012:abc123/authorizers/authz1"
    )
    error_message = "Only this API's authorizer may invoke the authorizer function."
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables.AUTH_MODE == "cognito"
    error_message = "The chat function must know the mode: it then expects every event to carry the verified sender."
  }

  assert {
    condition     = alltrue([for name in ["AUTH_USER_POOL_ID", "AUTH_ISSUER", "AUTH_AUDIENCE"] : !contains(keys(aws_lambda_function.this.environment[0].variables), name)])
    error_message = "The chat function needs no issuer settings: the authorizer verifies the token."
  }
}

run "page_signs_in" {
  command = apply

  assert {
    condition = aws_s3_object.config.content == templatefile("../frontend/config.js.tftpl", {
      config = {
        websocketUrl     = "wss://abc123.execute-api.eu-central-1.amazonaws.com/prod"
        maxMessageLength = jsondecode(file("../contract/contract.json")).limits.maxMessageLength
        auth = {
          mode     = "cognito"
          issuer   = "https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_AbCdEf123"
          clientId = "1example23456789abcdefghij"
        }
      }
    })
    error_message = "config.js must carry auth: the mode, the pool's issuer (https:// and its endpoint) and the page's client, no scope (the page's default)."
  }

  assert {
    condition     = strcontains(aws_s3_object.index.content, "connect-src wss://abc123.execute-api.eu-central-1.amazonaws.com/prod https://cognito-idp.eu-central-1.amazonaws.com https://chat-abcdef123.auth.eu-central-1.amazoncognito.com; ")
    error_message = "The CSP's connect-src must add the issuer's origin (discovery) and the managed login domain (token endpoint) after the WebSocket URL."
  }

  assert {
    condition     = strcontains(aws_cloudfront_response_headers_policy.this[0].security_headers_config[0].content_security_policy[0].content_security_policy, "connect-src wss://abc123.execute-api.eu-central-1.amazonaws.com/prod https://cognito-idp.eu-central-1.amazonaws.com https://chat-abcdef123.auth.eu-central-1.amazoncognito.com; ")
    error_message = "CloudFront's CSP header must allow the same origins as the meta tag."
  }
}

run "sign_up_by_administrators_only" {
  command = apply

  variables {
    cognito_self_sign_up  = false
    cognito_domain_prefix = "team-b-chat"
  }

  assert {
    condition     = aws_cognito_user_pool.this[0].admin_create_user_config[0].allow_admin_create_user_only
    error_message = "cognito_self_sign_up = false must leave account creation to administrators."
  }

  assert {
    condition     = aws_cognito_user_pool_domain.this[0].domain == "team-b-chat" && output.cognito_managed_login_url == "https://team-b-chat.auth.eu-central-1.amazoncognito.com" && strcontains(aws_s3_object.index.content, " https://team-b-chat.auth.eu-central-1.amazoncognito.com; ")
    error_message = "cognito_domain_prefix must name the managed login domain, in the output and the CSP."
  }
}

run "redirects_follow_a_custom_domain" {
  command = apply

  variables {
    domain_name               = "chat.example.com"
    certificate_arn           = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-1111-1111-1111-111111111111"
    websocket_certificate_arn = "arn:aws:acm:eu-central-1:123456789012:certificate/22222222-2222-2222-2222-222222222222"
  }

  assert {
    condition     = aws_cognito_user_pool_client.this[0].callback_urls == toset(["https://chat.example.com/"]) && aws_cognito_user_pool_client.this[0].logout_urls == toset(["https://chat.example.com/"]) && output.sign_in_redirect_url == "https://chat.example.com/"
    error_message = "With domain_name, sign-in must return to https://<domain_name>/, the page's origin."
  }

  assert {
    condition     = strcontains(aws_s3_object.index.content, "connect-src wss://ws.chat.example.com https://cognito-idp.eu-central-1.amazonaws.com ")
    error_message = "With domain_name, connect-src must name the WebSocket's own name, then the issuer."
  }
}
