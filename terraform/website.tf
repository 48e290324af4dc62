locals {
  # Rendered per deployment from the templates in frontend/, not uploaded from the build.
  rendered_site_files = ["index.html", "config.js"]
  site_files          = setsubtract(fileset(var.website_dir, "**"), local.rendered_site_files)

  # Without a content type S3 serves binary/octet-stream and browsers download the page. The map
  # (file extension -> type) is shared with the local stack's static site.
  content_types = jsondecode(file("${local.frontend_dir}/content-types.json"))

  # Templates and shared facts of the page: config.js, index.html, content types, the CSP.
  frontend_dir = "${path.module}/../frontend"

  # One policy for the meta tag in index.html (here and in the local stack) and, with
  # enable_https, CloudFront's header. Its connect-src (`connect_sources`, space-separated, see
  # locals.tf) is the WebSocket URL; with sign-in, also the identity provider's origins (the page
  # fetches its discovery document and calls its token endpoint).
  content_security_policy = trimspace(templatefile("${local.frontend_dir}/content-security-policy.tftpl", {
    connect_sources = local.connect_sources
  }))
}

resource "aws_s3_bucket" "this" {
  bucket_prefix = "${var.name_prefix}-site-"

  # Holds only files this configuration uploads, so `terraform destroy` may empty it.
  force_destroy = true
}

# The default since April 2023, declared to make "no ACLs, ever" visible.
resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

# ACLs stay blocked in both modes. The S3 website needs a public-read policy, so it lets public
# policies through; behind CloudFront the bucket is private and all four flags are on.
resource "aws_s3_bucket_public_access_block" "this" {
  bucket = aws_s3_bucket.this.id

  block_public_acls       = true
  ignore_public_acls      = true
  block_public_policy     = var.enable_https
  restrict_public_buckets = var.enable_https
}

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id

  policy = var.enable_https ? jsonencode({
    Version = "2012-10-17"
    Statement = [{
      # Only this distribution, through its origin access control, reads the objects.
      Sid       = "CloudFrontReadsObjects"
      Effect    = "Allow"
      Principal = { Service = "cloudfront.amazonaws.com" }
      Action    = "s3:GetObject"
      Resource  = "${aws_s3_bucket.this.arn}/*"
      Condition = { StringEquals = { "AWS:SourceArn" = aws_cloudfront_distribution.this[0].arn } }
    }]
    }) : jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "PublicReadObjects"
      Effect    = "Allow"
      Principal = "*"
      Action    = "s3:GetObject"
      Resource  = "${aws_s3_bucket.this.arn}/*"
    }]
  })

  # While the bucket still blocks public policies, S3 rejects a public one with AccessDenied. Even
  # in this order S3 may still refuse it for a few seconds after the block changed: `npm run
  # deploy` retries that one error, and a second `terraform apply` succeeds.
  depends_on = [
    aws_s3_bucket_public_access_block.this,
    aws_s3_bucket_ownership_controls.this,
  ]
}

# Only for the S3 website (plain HTTP). CloudFront reads the bucket's REST endpoint instead: a
# website endpoint cannot be reached through an origin access control.
resource "aws_s3_bucket_website_configuration" "this" {
  count = var.enable_https ? 0 : 1

  bucket = aws_s3_bucket.this.id

  index_document {
    suffix = "index.html"
  }
}

resource "aws_s3_object" "site" {
  for_each = local.site_files

  bucket       = aws_s3_bucket.this.id
  key          = each.value
  source       = "${var.website_dir}/${each.value}"
  etag         = filemd5("${var.website_dir}/${each.value}")
  content_type = lookup(local.content_types, lower(reverse(split(".", each.value))[0]), "application/octet-stream")
  # The bundle's file names carry no content hash, so browsers must revalidate (a cheap 304 by
  # ETag) or a new index.html could run last deployment's app.js.
  cache_control = "no-cache"
}

# The page's runtime configuration, from the same template the local stack renders.
resource "aws_s3_object" "config" {
  bucket        = aws_s3_bucket.this.id
  key           = "config.js"
  content_type  = local.content_types.js
  cache_control = "no-cache"

  # auth only with sign-in: the open chat's config.js stays as it was.
  content = templatefile("${local.frontend_dir}/config.js.tftpl", {
    config = merge(
      {
        websocketUrl     = local.websocket_url
        maxMessageLength = local.max_message_length
      },
      { for key, value in { auth = local.page_auth_config } : key => value if value != null },
    )
  })
}

# index.html carries the Content-Security-Policy in a meta tag (the S3 website cannot send headers).
resource "aws_s3_object" "index" {
  bucket        = aws_s3_bucket.this.id
  key           = "index.html"
  content_type  = local.content_types.html
  cache_control = "no-cache"

  content = templatefile("${local.frontend_dir}/index.html.tftpl", {
    content_security_policy = local.content_security_policy
  })
}
