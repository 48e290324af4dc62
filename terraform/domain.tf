# Custom names (domain_name): the page at https://<domain_name> through CloudFront, the WebSocket
# API at wss://<websocket_domain_name> through an API Gateway REGIONAL custom domain mapped to the
# stage. Certificates are brought (certificate_arn, websocket_certificate_arn) or, with
# route53_zone_id, requested from ACM and validated by DNS in that zone, which then also gets the
# alias records. variables.tf rejects every other combination.
#
# Two certificates, because the two names live in two places: CloudFront takes certificates only
# from us-east-1, a REGIONAL API Gateway domain only from its own Region.

locals {
  custom_domain         = var.domain_name != null
  websocket_domain_name = local.custom_domain ? coalesce(var.websocket_domain_name, "ws.${var.domain_name}") : null
  create_certificates   = var.route53_zone_id != null

  page_certificate_arn = (local.create_certificates
    ? one(aws_acm_certificate_validation.page[*].certificate_arn)
    : var.certificate_arn
  )
  websocket_certificate_arn = (local.create_certificates
    ? one(aws_acm_certificate_validation.websocket[*].certificate_arn)
    : var.websocket_certificate_arn != null ? var.websocket_certificate_arn : var.certificate_arn
  )

  # What each name needs in DNS: CloudFront's and API Gateway's own host names. Created in the zone
  # with route53_zone_id; otherwise the dns_records output says what to create.
  dns_targets = local.custom_domain ? {
    (var.domain_name)             = aws_cloudfront_distribution.this[0].domain_name
    (local.websocket_domain_name) = aws_apigatewayv2_domain_name.this[0].domain_name_configuration[0].target_domain_name
  } : {}
}

# --- Certificates, with route53_zone_id ---------------------------------------------------------

data "aws_route53_zone" "this" {
  count = local.create_certificates ? 1 : 0

  zone_id = var.route53_zone_id
}

resource "aws_acm_certificate" "page" {
  count    = local.create_certificates ? 1 : 0
  provider = aws.us_east_1

  domain_name       = var.domain_name
  validation_method = "DNS"

  lifecycle {
    # A new name gets its certificate before CloudFront lets go of the old one.
    create_before_destroy = true

    precondition {
      condition     = alltrue([for name in [var.domain_name, local.websocket_domain_name] : endswith(name, ".${data.aws_route53_zone.this[0].name}") || name == data.aws_route53_zone.this[0].name])
      error_message = "domain_name (${var.domain_name}) and websocket_domain_name (${local.websocket_domain_name}) must both lie in the hosted zone route53_zone_id names (${data.aws_route53_zone.this[0].name}): the certificates are validated, and the names published, there."
    }
  }
}

resource "aws_acm_certificate" "websocket" {
  count = local.create_certificates ? 1 : 0

  domain_name       = local.websocket_domain_name
  validation_method = "DNS"

  lifecycle {
    create_before_destroy = true
  }
}

locals {
  # Each certificate covers one name, so it asks for one validation record.
  certificate_validations = local.create_certificates ? {
    page      = one(aws_acm_certificate.page[0].domain_validation_options)
    websocket = one(aws_acm_certificate.websocket[0].domain_validation_options)
  } : {}
}

resource "aws_route53_record" "certificate_validation" {
  # Keys known at plan time; the records' names and values come from ACM.
  for_each = local.create_certificates ? toset(["page", "websocket"]) : toset([])

  zone_id = var.route53_zone_id
  name    = local.certificate_validations[each.key].resource_record_name
  type    = local.certificate_validations[each.key].resource_record_type
  records = [local.certificate_validations[each.key].resource_record_value]
  ttl     = 300
  # Validation records are the same for every certificate of a name: a record left by an earlier
  # certificate (or stack) for the same name is taken over rather than refused.
  allow_overwrite = true
}

# Waits until ACM has issued the certificate (usually a few minutes after the record appears).
resource "aws_acm_certificate_validation" "page" {
  count    = local.create_certificates ? 1 : 0
  provider = aws.us_east_1

  certificate_arn         = aws_acm_certificate.page[0].arn
  validation_record_fqdns = [aws_route53_record.certificate_validation["page"].fqdn]
}

resource "aws_acm_certificate_validation" "websocket" {
  count = local.create_certificates ? 1 : 0

  certificate_arn         = aws_acm_certificate.websocket[0].arn
  validation_record_fqdns = [aws_route53_record.certificate_validation["websocket"].fqdn]
}

# --- The WebSocket API's name -------------------------------------------------------------------

resource "aws_apigatewayv2_domain_name" "this" {
  count = local.custom_domain ? 1 : 0

  domain_name = local.websocket_domain_name

  domain_name_configuration {
    certificate_arn = local.websocket_certificate_arn
    endpoint_type   = "REGIONAL"
    # The only policy API Gateway offers WebSocket APIs: TLS 1.2 and newer.
    security_policy = "TLS_1_2"
  }

  lifecycle {
    precondition {
      condition     = local.create_certificates || split(":", local.websocket_certificate_arn)[3] == local.region
      error_message = "The WebSocket API's certificate (${local.websocket_certificate_arn}) is in ${split(":", local.websocket_certificate_arn)[3]}, but the API is in ${local.region}: a REGIONAL API Gateway custom domain takes certificates only from its own Region. Request or import a certificate for ${local.websocket_domain_name} in ${local.region} and set websocket_certificate_arn to it."
    }
  }
}

# The stage at the root of the name: wss://<websocket_domain_name>, no path.
resource "aws_apigatewayv2_api_mapping" "this" {
  count = local.custom_domain ? 1 : 0

  api_id      = aws_apigatewayv2_api.this.id
  domain_name = aws_apigatewayv2_domain_name.this[0].id
  stage       = aws_apigatewayv2_stage.this.id
}

# --- DNS, with route53_zone_id ------------------------------------------------------------------

# Alias records: free to query, and valid at a zone's apex, where a CNAME is not.
resource "aws_route53_record" "page" {
  # IPv4 and IPv6: the distribution serves both (is_ipv6_enabled).
  for_each = local.create_certificates ? toset(["A", "AAAA"]) : toset([])

  zone_id = var.route53_zone_id
  name    = var.domain_name
  type    = each.value

  alias {
    name                   = aws_cloudfront_distribution.this[0].domain_name
    zone_id                = aws_cloudfront_distribution.this[0].hosted_zone_id
    evaluate_target_health = false
  }
}

resource "aws_route53_record" "websocket" {
  count = local.create_certificates ? 1 : 0

  zone_id = var.route53_zone_id
  name    = local.websocket_domain_name
  type    = "A"

  alias {
    name                   = aws_apigatewayv2_domain_name.this[0].domain_name_configuration[0].target_domain_name
    zone_id                = aws_apigatewayv2_domain_name.this[0].domain_name_configuration[0].hosted_zone_id
    evaluate_target_health = false
  }
}
