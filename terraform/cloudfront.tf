# HTTPS for the page (enable_https): a CloudFront distribution in front of the private bucket,
# reading it through an origin access control, and adding the security headers an S3 website
# cannot send.

resource "aws_cloudfront_origin_access_control" "this" {
  count = var.enable_https ? 1 : 0

  # Names are unique per account, across regions: the bucket's generated name is.
  name                              = aws_s3_bucket.this.id
  description                       = "${var.name_prefix}: CloudFront signs its reads of the page's bucket"
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

resource "aws_cloudfront_response_headers_policy" "this" {
  count = var.enable_https ? 1 : 0

  name    = "${aws_s3_bucket.this.id}-security-headers"
  comment = "${var.name_prefix}: CSP, HSTS, nosniff, referrer policy, no framing"

  security_headers_config {
    # The meta tag's policy plus frame-ancestors, which browsers ignore in a meta tag.
    content_security_policy {
      content_security_policy = "${local.content_security_policy}; frame-ancestors 'none'"
      override                = true
    }

    strict_transport_security {
      access_control_max_age_sec = 31536000
      include_subdomains         = true
      override                   = true
    }

    content_type_options {
      override = true
    }

    # As index.html's <meta name="referrer">: the page's URL never leaks to Gravatar.
    referrer_policy {
      referrer_policy = "no-referrer"
      override        = true
    }

    # frame-ancestors for browsers too old to know it.
    frame_options {
      frame_option = "DENY"
      override     = true
    }
  }
}

resource "aws_cloudfront_distribution" "this" {
  count = var.enable_https ? 1 : 0

  enabled             = true
  comment             = "${var.name_prefix} chat page"
  default_root_object = "index.html"
  http_version        = "http2and3"
  is_ipv6_enabled     = true
  # Edge locations in North America and Europe only: the cheapest class.
  price_class = "PriceClass_100"
  # The page's own name (domain_name), if any; its certificate must cover it.
  aliases = local.custom_domain ? [var.domain_name] : []

  origin {
    origin_id                = "site"
    domain_name              = aws_s3_bucket.this.bucket_regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.this[0].id
  }

  default_cache_behavior {
    target_origin_id       = "site"
    viewer_protocol_policy = "redirect-to-https"
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
    compress               = true
    # The managed CachingOptimized policy. Its minimum TTL of 1 s wins over the objects'
    # Cache-Control: no-cache, so a new config.js or app.js reaches browsers a second after apply.
    cache_policy_id            = "658327ea-f89d-4fab-a63d-7e88639e58f6"
    response_headers_policy_id = aws_cloudfront_response_headers_policy.this[0].id
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  # With domain_name: its ACM certificate (us-east-1), served by SNI, TLS 1.2 or newer with the 2021
  # ciphers. Without: the *.cloudfront.net certificate, whose minimum protocol cannot be raised.
  viewer_certificate {
    cloudfront_default_certificate = !local.custom_domain
    acm_certificate_arn            = local.custom_domain ? local.page_certificate_arn : null
    ssl_support_method             = local.custom_domain ? "sni-only" : null
    minimum_protocol_version       = local.custom_domain ? "TLSv1.2_2021" : null
  }
}
