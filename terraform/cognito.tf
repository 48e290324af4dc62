# Sign-in with auth_mode = "cognito": a user pool, the chat page as its one app client, and
# Cognito's sign-in and sign-up pages on a prefix domain of its own. The page signs in with the
# authorization code flow and PKCE, and hands the ID token to the $connect authorizer
# (authorizer.tf).

locals {
  # Prefix domains are unique per Region across all of AWS, so the default carries the pool's own
  # random id (lower-cased: domains take no capitals). Cognito reserves "aws", "amazon" and
  # "cognito" in prefixes, so name_prefix (awsome-chat by default) cannot be used.
  cognito_domain_prefix = local.cognito ? coalesce(
    var.cognito_domain_prefix,
    "chat-${lower(element(split("_", aws_cognito_user_pool.this[0].id), 1))}",
  ) : null

  # The managed login pages' origin (the authorize, token, logout and revoke endpoints). The
  # provider exposes only the prefix, so the host is composed as Cognito documents it.
  cognito_login_origin = local.cognito ? "https://${aws_cognito_user_pool_domain.this[0].domain}.auth.${local.region}.amazoncognito.com" : null
}

resource "aws_cognito_user_pool" "this" {
  count = local.cognito ? 1 : 0

  name = "${var.name_prefix}-users"
  # Lite, the least expensive plan, has all this stack uses: the classic managed login pages and
  # ID tokens (the newer managed login needs Essentials, and a branding style, see below).
  user_pool_tier = "LITE"
  # destroy deletes the pool and every account in it, as it deletes the chat's tables.
  deletion_protection = "INACTIVE"

  # People sign in with their e-mail address, which they confirm with a code Cognito mails them.
  username_attributes      = ["email"]
  auto_verified_attributes = ["email"]
  mfa_configuration        = "OFF"

  username_configuration {
    case_sensitive = false
  }

  admin_create_user_config {
    allow_admin_create_user_only = !var.cognito_self_sign_up
  }

  account_recovery_setting {
    recovery_mechanism {
      name     = "verified_email"
      priority = 1
    }
  }

  # Cognito's defaults, written out so a plan shows them.
  password_policy {
    minimum_length                   = 8
    require_lowercase                = true
    require_numbers                  = true
    require_symbols                  = true
    require_uppercase                = true
    temporary_password_validity_days = 7
  }

  # The display name: asked for at sign-up, so nobody appears as user-xxxxxx. `name` is the first
  # of the name claims the authorizer reads (contract.json, auth.nameClaims). A standard
  # attribute's constraints are Cognito's own (0 to 2048); written out, or every plan would
  # propose to change them (and fail: a pool's schema cannot change).
  schema {
    name                = "name"
    attribute_data_type = "String"
    required            = true
    mutable             = true

    string_attribute_constraints {
      min_length = 0
      max_length = 2048
    }
  }
}

# The chat page: a public client (a browser keeps no secret), the authorization code flow (with
# PKCE, which the page always sends), ID and refresh tokens.
resource "aws_cognito_user_pool_client" "this" {
  count = local.cognito ? 1 : 0

  name         = "${var.name_prefix}-page"
  user_pool_id = aws_cognito_user_pool.this[0].id

  generate_secret                      = false
  allowed_oauth_flows_user_pool_client = true
  allowed_oauth_flows                  = ["code"]
  # The page asks for "openid profile" (frontend/src/config.ts, defaultScope).
  allowed_oauth_scopes         = ["openid", "profile"]
  supported_identity_providers = ["COGNITO"]
  # Sign-in and sign-out both come back to the page's folder.
  callback_urls = [local.sign_in_redirect_url]
  logout_urls   = [local.sign_in_redirect_url]

  # Refresh tokens renew the page's ID token; SRP is how the managed login pages check a password
  # without sending it. Cognito's default adds custom (Lambda) authentication, unused here.
  explicit_auth_flows     = ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"]
  enable_token_revocation = true
  # The sign-in page does not tell a wrong password from an unknown address.
  prevent_user_existence_errors = "ENABLED"

  # What the ID token carries: the name everyone sees, and the address the person signed in with
  # (seen only by the page and the authorizer, which never logs it).
  read_attributes  = ["email", "email_verified", "name"]
  write_attributes = ["email", "name"]

  # Cognito's defaults: the page renews its ID token every hour with the refresh token, and signs
  # in again after 30 days.
  id_token_validity      = 60
  access_token_validity  = 60
  refresh_token_validity = 30

  token_validity_units {
    id_token      = "minutes"
    access_token  = "minutes"
    refresh_token = "days"
  }
}

# The managed login pages (sign-in, sign-up, password reset) and the OAuth endpoints, on
# https://<prefix>.auth.<region>.amazoncognito.com. Version 1 is the classic managed login
# ("hosted UI"), which works with no more setup. Version 2, the newer managed login, shows
# "Login pages unavailable" until the app client has a branding style, and provider 5.100 has no
# resource for one (aws_cognito_managed_login_branding came with provider 6).
resource "aws_cognito_user_pool_domain" "this" {
  count = local.cognito ? 1 : 0

  domain                = local.cognito_domain_prefix
  user_pool_id          = aws_cognito_user_pool.this[0].id
  managed_login_version = 1
}
