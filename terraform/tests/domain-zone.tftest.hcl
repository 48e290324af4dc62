# domain_name with route53_zone_id: the stack requests both certificates (the page's from
# us-east-1, the WebSocket's from its own Region), validates them by DNS in the zone, and publishes
# both names there as alias records.

# Each provider's ACM answers with a certificate of its own Region, so the assertions below show
# which provider requested which certificate: the page's must come from us-east-1 (CloudFront's
# only Region), the WebSocket's from the stack's Region.
mock_provider "aws" {
  source = "./tests/mocks"

  mock_resource "aws_acm_certificate" {
    defaults = {
      arn = "arn:aws:acm:eu-central-1:123456789012:certificate/44444444-4444-4444-4444-444444444444"
      domain_validation_options = [{
        domain_name           = "ws.chat.example.com"
        resource_record_name  = "_ws.ws.chat.example.com."
        resource_record_type  = "CNAME"
        resource_record_value = "_ws.acm-validations.aws."
      }]
    }
  }
}

mock_provider "aws" {
  alias  = "us_east_1"
  source = "./tests/mocks"

  mock_resource "aws_acm_certificate" {
    defaults = {
      arn = "arn:aws:acm:us-east-1:123456789012:certificate/33333333-3333-3333-3333-333333333333"
      domain_validation_options = [{
        domain_name           = "chat.example.com"
        resource_record_name  = "_page.chat.example.com."
        resource_record_type  = "CNAME"
        resource_record_value = "_page.acm-validations.aws."
      }]
    }
  }
}

variables {
  aws_region      = "eu-central-1"
  lambda_zip_path = "tests/fixtures/lambda-package.stub"
  website_dir     = "tests/fixtures/site"
  enable_https    = true
  domain_name     = "chat.example.com"
  route53_zone_id = "Z0123456789ABCDEFGHIJ"
}

run "certificates_requested_and_validated" {
  command = apply

  assert {
    condition     = aws_acm_certificate.page[0].domain_name == "chat.example.com" && aws_acm_certificate.websocket[0].domain_name == "ws.chat.example.com" && aws_acm_certificate.page[0].validation_method == "DNS" && aws_acm_certificate.websocket[0].validation_method == "DNS"
    error_message = "One DNS-validated certificate per name: the page's and the WebSocket's."
  }

  assert {
    condition = {
      for key, record in aws_route53_record.certificate_validation : key => [record.zone_id, record.name, record.type, one(record.records)]
      } == {
      page      = ["Z0123456789ABCDEFGHIJ", "_page.chat.example.com.", "CNAME", "_page.acm-validations.aws."]
      websocket = ["Z0123456789ABCDEFGHIJ", "_ws.ws.chat.example.com.", "CNAME", "_ws.acm-validations.aws."]
    }
    error_message = "Each certificate's validation record must be in the zone, as ACM asked for it."
  }

  assert {
    condition = (
      aws_acm_certificate_validation.page[0].certificate_arn == aws_acm_certificate.page[0].arn &&
      aws_acm_certificate_validation.page[0].validation_record_fqdns == toset([aws_route53_record.certificate_validation["page"].fqdn]) &&
      aws_acm_certificate_validation.websocket[0].certificate_arn == aws_acm_certificate.websocket[0].arn &&
      aws_acm_certificate_validation.websocket[0].validation_record_fqdns == toset([aws_route53_record.certificate_validation["websocket"].fqdn])
    )
    error_message = "Each certificate must be waited for through its own validation record."
  }
}

run "issued_certificates_in_use" {
  command = apply

  assert {
    condition     = aws_cloudfront_distribution.this[0].viewer_certificate[0].acm_certificate_arn == "arn:aws:acm:us-east-1:123456789012:certificate/33333333-3333-3333-3333-333333333333" && aws_cloudfront_distribution.this[0].viewer_certificate[0].minimum_protocol_version == "TLSv1.2_2021" && aws_cloudfront_distribution.this[0].aliases == toset(["chat.example.com"])
    error_message = "CloudFront must serve the page's name with the us-east-1 certificate, TLSv1.2_2021 or newer."
  }

  assert {
    condition     = aws_apigatewayv2_domain_name.this[0].domain_name_configuration[0].certificate_arn == "arn:aws:acm:eu-central-1:123456789012:certificate/44444444-4444-4444-4444-444444444444" && aws_apigatewayv2_domain_name.this[0].domain_name_configuration[0].security_policy == "TLS_1_2"
    error_message = "The API's custom domain must use the certificate from its own Region."
  }
}

run "names_published_in_the_zone" {
  command = apply

  assert {
    condition = {
      for type, record in aws_route53_record.page : type => [record.zone_id, record.name, one(record.alias).name, one(record.alias).zone_id]
      } == {
      A    = ["Z0123456789ABCDEFGHIJ", "chat.example.com", "d1mock.cloudfront.net", "Z2FDTNDATAQYW2"]
      AAAA = ["Z0123456789ABCDEFGHIJ", "chat.example.com", "d1mock.cloudfront.net", "Z2FDTNDATAQYW2"]
    }
    error_message = "The page's name must be an IPv4 and IPv6 alias of the distribution."
  }

  assert {
    condition     = aws_route53_record.websocket[0].name == "ws.chat.example.com" && aws_route53_record.websocket[0].type == "A" && one(aws_route53_record.websocket[0].alias).name == "d-mock123456.execute-api.eu-central-1.amazonaws.com" && one(aws_route53_record.websocket[0].alias).zone_id == "Z1U9ULNL0V5AJ3"
    error_message = "The WebSocket's name must be an alias of the API's regional domain name."
  }

  assert {
    condition     = output.website_url == "https://chat.example.com" && output.websocket_url == "wss://ws.chat.example.com" && aws_lambda_function.this.environment[0].variables.ALLOWED_ORIGINS == "https://chat.example.com"
    error_message = "The outputs and ALLOWED_ORIGINS must follow the names."
  }
}

run "refuses_names_outside_the_zone" {
  command = plan

  variables {
    domain_name = "chat.example.org"
  }

  expect_failures = [aws_acm_certificate.page]
}

