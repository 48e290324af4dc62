# domain_name with certificates the user brings (certificate_arn, websocket_certificate_arn):
# CloudFront under the page's name, an API Gateway custom domain for the WebSocket, no ACM or
# Route 53 resource of the stack's own, and the DNS records to create in the dns_records output.

mock_provider "aws" {
  source = "./tests/mocks"
}

# CloudFront's certificates come from us-east-1 (providers.tf); mocked the same way.
mock_provider "aws" {
  alias  = "us_east_1"
  source = "./tests/mocks"
}

variables {
  aws_region                = "eu-central-1"
  lambda_zip_path           = "tests/fixtures/lambda-package.stub"
  website_dir               = "tests/fixtures/site"
  enable_https              = true
  domain_name               = "chat.example.com"
  websocket_domain_name     = "chat-ws.example.com"
  certificate_arn           = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-1111-1111-1111-111111111111"
  websocket_certificate_arn = "arn:aws:acm:eu-central-1:123456789012:certificate/22222222-2222-2222-2222-222222222222"
}

run "page_under_its_name" {
  command = apply

  assert {
    condition     = aws_cloudfront_distribution.this[0].aliases == toset(["chat.example.com"])
    error_message = "The distribution must answer to domain_name."
  }

  assert {
    condition = (
      aws_cloudfront_distribution.this[0].viewer_certificate[0].acm_certificate_arn == "arn:aws:acm:us-east-1:123456789012:certificate/11111111-1111-1111-1111-111111111111" &&
      !aws_cloudfront_distribution.this[0].viewer_certificate[0].cloudfront_default_certificate &&
      aws_cloudfront_distribution.this[0].viewer_certificate[0].ssl_support_method == "sni-only" &&
      aws_cloudfront_distribution.this[0].viewer_certificate[0].minimum_protocol_version == "TLSv1.2_2021"
    )
    error_message = "The distribution must serve certificate_arn by SNI, TLSv1.2_2021 or newer."
  }

  assert {
    condition     = length(aws_acm_certificate.page) == 0 && length(aws_acm_certificate.websocket) == 0 && length(aws_route53_record.certificate_validation) == 0 && length(aws_route53_record.page) == 0 && length(aws_route53_record.websocket) == 0
    error_message = "With certificates brought, the stack must create no certificate and no DNS record."
  }
}

run "websocket_under_its_name" {
  command = apply

  assert {
    condition = (
      aws_apigatewayv2_domain_name.this[0].domain_name == "chat-ws.example.com" &&
      aws_apigatewayv2_domain_name.this[0].domain_name_configuration[0].certificate_arn == "arn:aws:acm:eu-central-1:123456789012:certificate/22222222-2222-2222-2222-222222222222" &&
      aws_apigatewayv2_domain_name.this[0].domain_name_configuration[0].endpoint_type == "REGIONAL" &&
      aws_apigatewayv2_domain_name.this[0].domain_name_configuration[0].security_policy == "TLS_1_2"
    )
    error_message = "The WebSocket name must be a REGIONAL custom domain with websocket_certificate_arn and TLS 1.2."
  }

  assert {
    condition = (
      aws_apigatewayv2_api_mapping.this[0].api_id == aws_apigatewayv2_api.this.id &&
      aws_apigatewayv2_api_mapping.this[0].domain_name == aws_apigatewayv2_domain_name.this[0].id &&
      aws_apigatewayv2_api_mapping.this[0].stage == aws_apigatewayv2_stage.this.id &&
      aws_apigatewayv2_api_mapping.this[0].api_mapping_key == null
    )
    error_message = "The stage must be mapped at the root of the WebSocket name."
  }
}

run "everything_follows_the_names" {
  command = apply

  assert {
    condition     = output.website_url == "https://chat.example.com" && output.websocket_url == "wss://chat-ws.example.com"
    error_message = "The outputs must give the custom names."
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables.ALLOWED_ORIGINS == "https://chat.example.com"
    error_message = "Only the page's own name may open a WebSocket (not the *.cloudfront.net address)."
  }

  assert {
    condition     = strcontains(aws_s3_object.config.content, "\"websocketUrl\":\"wss://chat-ws.example.com\"")
    error_message = "config.js must point the page at the WebSocket's name."
  }

  assert {
    condition = (
      strcontains(aws_s3_object.index.content, "content=\"${trimspace(templatefile("../frontend/content-security-policy.tftpl", { connect_sources = "wss://chat-ws.example.com" }))}\"") &&
      aws_cloudfront_response_headers_policy.this[0].security_headers_config[0].content_security_policy[0].content_security_policy == "${trimspace(templatefile("../frontend/content-security-policy.tftpl", { connect_sources = "wss://chat-ws.example.com" }))}; frame-ancestors 'none'"
    )
    error_message = "The CSP (meta tag and header) must let the page connect to the WebSocket's name."
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables.APIGW_ENDPOINT == "https://abc123.execute-api.eu-central-1.amazonaws.com/prod"
    error_message = "The function must keep posting through the execute-api endpoint with the stage, which its IAM permission names."
  }

  assert {
    condition = output.dns_records == {
      "chat.example.com"    = { type = "CNAME", value = "d1mock.cloudfront.net" }
      "chat-ws.example.com" = { type = "CNAME", value = "d-mock123456.execute-api.eu-central-1.amazonaws.com" }
    }
    error_message = "dns_records must say which record each name needs."
  }
}

run "websocket_name_defaults_to_ws_dot_domain_name" {
  command = plan

  variables {
    websocket_domain_name = null
  }

  assert {
    condition     = aws_apigatewayv2_domain_name.this[0].domain_name == "ws.chat.example.com" && output.websocket_url == "wss://ws.chat.example.com"
    error_message = "Without websocket_domain_name, the WebSocket must be at ws.<domain_name>."
  }
}

# One certificate for both names works only where the API's Region is us-east-1.
run "one_certificate_in_us_east_1" {
  command = plan

  variables {
    aws_region                = "us-east-1"
    websocket_certificate_arn = null
  }

  override_data {
    target = data.aws_region.current
    values = {
      name = "us-east-1"
    }
  }

  assert {
    condition     = aws_apigatewayv2_domain_name.this[0].domain_name_configuration[0].certificate_arn == var.certificate_arn
    error_message = "Without websocket_certificate_arn, the custom domain must use certificate_arn."
  }
}

run "refuses_a_certificate_from_another_region" {
  command = plan

  variables {
    websocket_certificate_arn = null
  }

  expect_failures = [aws_apigatewayv2_domain_name.this]
}

run "refuses_a_websocket_certificate_from_another_region" {
  command = plan

  variables {
    websocket_certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/22222222-2222-2222-2222-222222222222"
  }

  expect_failures = [aws_apigatewayv2_domain_name.this]
}
