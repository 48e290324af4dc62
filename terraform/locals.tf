locals {
  # The facts the Lambda, the local stack and this stack share: stage, routes, table key, TTL
  # attribute, environment variable names and message limits. Never repeat them here.
  contract = jsondecode(file("${path.module}/../contract/contract.json"))
  # The most each setting accepts: variables.tf validates against them, and the function checks
  # its environment against the same values at cold start.
  setting_maximums = local.contract.settingMaximums

  stage_name           = coalesce(var.stage_name, local.contract.stageName)
  max_message_length   = coalesce(var.max_message_length, local.contract.limits.maxMessageLength)
  rate_limit_burst     = coalesce(var.rate_limit_burst, local.contract.limits.rateLimitBurst)
  history_max_messages = coalesce(var.history_max_messages, local.contract.limits.historyMaxMessages)
  # 0 is a value here (no message text kept), so a null test rather than coalesce's emptiness.
  history_ttl_seconds   = var.history_ttl_seconds == null ? local.contract.limits.historyTtlSeconds : var.history_ttl_seconds
  rate_limit_per_second = coalesce(var.rate_limit_per_second, local.contract.limits.rateLimitPerSecond)
  max_connections_per_person = coalesce(
    var.max_connections_per_person,
    local.contract.limits.maxConnectionsPerPerson,
  )

  # The URL the page connects to (config.js, the CSP's connect-src, the websocket_url output): the
  # custom name with domain_name, whose API mapping puts the stage at its root; else the stage's
  # own URL (what its invoke_url is). The function posts to its connections through the
  # execute-api endpoint with the stage either way, the address AWS documents for @connections:
  # on the custom name, the <domainName>/<stage> the function would derive from an event matches
  # no route (the stage is at the root there). Built from the API, not the stage:
  # the stage depends on the function, whose environment holds the endpoint and whose
  # ALLOWED_ORIGINS depends on the distribution, whose headers carry the CSP.
  execute_api_websocket_url = "${aws_apigatewayv2_api.this.api_endpoint}/${local.stage_name}"
  websocket_url             = local.custom_domain ? "wss://${local.websocket_domain_name}" : local.execute_api_websocket_url
  management_endpoint       = replace(local.execute_api_websocket_url, "wss://", "https://")

  # The page's origin, the only one ALLOWED_ORIGINS lets in besides extra_allowed_origins: the
  # custom name with domain_name, else CloudFront's own with enable_https, else the S3 website's.
  # With domain_name, the *.cloudfront.net address still serves the page, but its socket is refused.
  website_origin = (local.custom_domain
    ? "https://${var.domain_name}"
    : var.enable_https
    ? "https://${aws_cloudfront_distribution.this[0].domain_name}"
    : "http://${aws_s3_bucket_website_configuration.this[0].website_endpoint}"
  )
  allowed_origins = concat([local.website_origin], var.extra_allowed_origins)

  # --- Sign-in (auth_mode) -------------------------------------------------------------------
  # One source for what the page (config.js), its Content-Security-Policy and the authorizer are
  # told, so the three always name the same issuer and client.
  auth_enabled = var.auth_mode != "none"
  cognito      = var.auth_mode == "cognito"

  # Where the issuer sends a person back after signing in and out: the folder the page is served
  # from, with its trailing slash (frontend/src/sign-in-urls.ts, redirectUriFor).
  sign_in_redirect_url = "${local.website_origin}/"

  # The issuer exactly as its ID tokens' iss says. Cognito's is https://cognito-idp.<region>.
  # amazonaws.com/<pool id>, which the provider exposes as the pool's endpoint, without the scheme.
  auth_issuer = (local.cognito
    ? "https://${aws_cognito_user_pool.this[0].endpoint}"
    : var.oidc_issuer
  )
  # The client the page signs in as, the ID tokens' audience.
  auth_client_id = local.cognito ? aws_cognito_user_pool_client.this[0].id : var.oidc_client_id

  # config.js's auth (frontend/src/config.ts, readAuthConfig): absent in the open chat; scope only
  # when oidc_scope is set (the page then asks for "openid profile"). Nulls are left out, as the
  # page refuses keys it does not know.
  page_auth_config = local.auth_enabled ? {
    for key, value in {
      mode     = var.auth_mode
      issuer   = local.auth_issuer
      clientId = local.auth_client_id
      scope    = var.oidc_scope
    } : key => value if value != null
  } : null

  # The origins the page's OpenID Connect client fetches from: the issuer's (its discovery
  # document) and the token endpoint's. For Cognito the token endpoint is on the managed login
  # domain; for another issuer it is usually on the issuer's host, else in oidc_connect_origins.
  identity_provider_origins = (local.cognito
    ? [regex("^https://[^/]+", local.auth_issuer), local.cognito_login_origin]
    : var.auth_mode == "oidc"
    ? concat([regex("^https://[^/]+", var.oidc_issuer)], var.oidc_connect_origins)
    : []
  )
  # The CSP's connect-src (frontend/content-security-policy.tftpl): the WebSocket URL, then the
  # identity provider's origins.
  connect_sources = join(" ", distinct(concat([local.websocket_url], local.identity_provider_origins)))

  # The stack's Region, as the provider resolved it (aws_region may be null).
  region = data.aws_region.current.name

  tags = merge(
    {
      Application = var.name_prefix
      ManagedBy   = "terraform"
    },
    var.tags,
  )
}

data "aws_region" "current" {}

data "aws_partition" "current" {}
