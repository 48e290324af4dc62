# enable_https: the page through CloudFront, the bucket private. Applied against the mocked
# provider like tests/stack.tftest.hcl; here only what differs from the S3 website.

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
  enable_https    = true
}

run "private_bucket_behind_cloudfront" {
  command = apply

  assert {
    condition = (
      aws_s3_bucket_public_access_block.this.block_public_acls &&
      aws_s3_bucket_public_access_block.this.ignore_public_acls &&
      aws_s3_bucket_public_access_block.this.block_public_policy &&
      aws_s3_bucket_public_access_block.this.restrict_public_buckets
    )
    error_message = "Behind CloudFront all four public access block flags must be on."
  }

  assert {
    condition     = length(aws_s3_bucket_website_configuration.this) == 0
    error_message = "Behind CloudFront the bucket must have no website configuration."
  }

  assert {
    condition = jsondecode(aws_s3_bucket_policy.this.policy).Statement == [{
      Sid       = "CloudFrontReadsObjects"
      Effect    = "Allow"
      Principal = { Service = "cloudfront.amazonaws.com" }
      Action    = "s3:GetObject"
      Resource  = "arn:aws:s3:::awsome-chat-site-mock/*"
      Condition = { StringEquals = { "AWS:SourceArn" = "arn:aws:cloudfront::123456789012:distribution/E2MOCKDISTRIB" } }
    }]
    error_message = "Only this distribution may read the objects, and nobody else."
  }

  assert {
    condition = (
      aws_cloudfront_origin_access_control.this[0].origin_access_control_origin_type == "s3" &&
      aws_cloudfront_origin_access_control.this[0].signing_behavior == "always" &&
      aws_cloudfront_origin_access_control.this[0].signing_protocol == "sigv4"
    )
    error_message = "The origin access control must sign every request to S3 with SigV4."
  }
}

run "distribution" {
  command = apply

  assert {
    condition     = one(aws_cloudfront_distribution.this[0].origin).domain_name == "awsome-chat-site-mock.s3.eu-central-1.amazonaws.com" && one(aws_cloudfront_distribution.this[0].origin).origin_access_control_id == "E3MOCKOAC"
    error_message = "The origin must be the bucket's REST endpoint, read through the origin access control."
  }

  assert {
    condition     = aws_cloudfront_distribution.this[0].default_root_object == "index.html" && aws_cloudfront_distribution.this[0].enabled
    error_message = "The distribution must serve index.html at /."
  }

  assert {
    condition = (
      aws_cloudfront_distribution.this[0].default_cache_behavior[0].viewer_protocol_policy == "redirect-to-https" &&
      aws_cloudfront_distribution.this[0].default_cache_behavior[0].allowed_methods == toset(["GET", "HEAD"]) &&
      aws_cloudfront_distribution.this[0].default_cache_behavior[0].cache_policy_id == "658327ea-f89d-4fab-a63d-7e88639e58f6"
    )
    error_message = "Viewers must be redirected to HTTPS, only GET and HEAD reach S3, cached by the managed CachingOptimized policy."
  }

  assert {
    condition     = aws_cloudfront_distribution.this[0].default_cache_behavior[0].response_headers_policy_id == aws_cloudfront_response_headers_policy.this[0].id
    error_message = "Every response must carry the security headers."
  }

  assert {
    condition     = aws_cloudfront_distribution.this[0].viewer_certificate[0].cloudfront_default_certificate
    error_message = "The distribution must use the *.cloudfront.net certificate."
  }

  assert {
    condition     = length(aws_cloudfront_distribution.this[0].aliases) == 0 && aws_cloudfront_distribution.this[0].viewer_certificate[0].acm_certificate_arn == null
    error_message = "Without domain_name the distribution must answer only to its *.cloudfront.net name."
  }

  assert {
    condition     = length(aws_apigatewayv2_domain_name.this) == 0 && length(aws_apigatewayv2_api_mapping.this) == 0 && length(aws_acm_certificate.page) == 0 && length(aws_acm_certificate.websocket) == 0 && output.dns_records == null
    error_message = "Without domain_name there must be no custom domain, no certificate and no DNS record to create."
  }
}

run "security_headers" {
  command = apply

  assert {
    condition = (
      aws_cloudfront_response_headers_policy.this[0].security_headers_config[0].content_security_policy[0].content_security_policy ==
      "${trimspace(templatefile("../frontend/content-security-policy.tftpl", { connect_sources = "wss://abc123.execute-api.eu-central-1.amazonaws.com/prod" }))}; frame-ancestors 'none'"
    )
    error_message = "The CSP header must be frontend/content-security-policy.tftpl (the meta tag's policy) plus frame-ancestors 'none'."
  }

  assert {
    condition     = strcontains(aws_s3_object.index.content, "content=\"${trimspace(templatefile("../frontend/content-security-policy.tftpl", { connect_sources = "wss://abc123.execute-api.eu-central-1.amazonaws.com/prod" }))}\"")
    error_message = "index.html's meta tag must carry the same policy as the header."
  }

  assert {
    condition = (
      aws_cloudfront_response_headers_policy.this[0].security_headers_config[0].strict_transport_security[0].access_control_max_age_sec == 31536000 &&
      aws_cloudfront_response_headers_policy.this[0].security_headers_config[0].content_type_options[0].override &&
      aws_cloudfront_response_headers_policy.this[0].security_headers_config[0].frame_options[0].frame_option == "DENY"
    )
    error_message = "HSTS for a year, nosniff and X-Frame-Options DENY."
  }

  assert {
    condition     = aws_cloudfront_response_headers_policy.this[0].security_headers_config[0].referrer_policy[0].referrer_policy == "no-referrer" && strcontains(aws_s3_object.index.content, "<meta name=\"referrer\" content=\"no-referrer\">")
    error_message = "The Referrer-Policy header must say what index.html's meta tag says: no-referrer."
  }

  assert {
    condition     = alltrue([for config in aws_cloudfront_response_headers_policy.this[0].security_headers_config : config.content_security_policy[0].override && config.strict_transport_security[0].override && config.referrer_policy[0].override && config.frame_options[0].override])
    error_message = "The policy's headers must replace any the origin sends."
  }
}

run "https_origin_everywhere" {
  command = apply

  assert {
    condition     = output.website_url == "https://d1mock.cloudfront.net" && output.cloudfront_distribution_id == "E2MOCKDISTRIB"
    error_message = "website_url must be the distribution's https:// URL, and its id an output."
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables.ALLOWED_ORIGINS == "https://d1mock.cloudfront.net"
    error_message = "Only the https:// origin may open a WebSocket."
  }

  assert {
    condition     = aws_s3_object.config.content_type == "text/javascript; charset=utf-8" && strcontains(aws_s3_object.config.content, "\"websocketUrl\":\"wss://abc123.execute-api.eu-central-1.amazonaws.com/prod\"")
    error_message = "The page and its config.js are uploaded as in the S3 website mode."
  }
}
