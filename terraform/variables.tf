variable "alarm_email" {
  description = "An e-mail address the CloudWatch alarms notify (AWS mails it a confirmation link first). null subscribes nobody: the alarms still notify the alarm_topic_arn output's SNS topic."
  type        = string
  default     = null

  validation {
    condition     = var.alarm_email == null ? true : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.alarm_email))
    error_message = "alarm_email must be one e-mail address such as \"ops@example.com\", or null."
  }
}

variable "auth_mode" {
  description = "Who may connect. \"none\": anyone with the page's URL, under any name they type (the open chat). \"cognito\": people signed in to an Amazon Cognito user pool this stack creates, through its managed login pages. \"oidc\": people signed in to the OpenID Connect issuer oidc_issuer. Both sign-in modes need enable_https, and add a $connect authorizer function (docs/auth.md)."
  type        = string
  default     = "none"

  validation {
    condition     = contains(local.contract.auth.modes, var.auth_mode)
    error_message = "auth_mode must be \"none\", \"cognito\" or \"oidc\"."
  }

  validation {
    condition     = var.auth_mode == "none" || var.enable_https
    error_message = "auth_mode = \"${var.auth_mode}\" needs enable_https = true: the page signs in with PKCE, whose Web Crypto browsers offer only on secure (https) pages, and Cognito accepts only https callback URLs. Set enable_https = true (the page moves to https://<id>.cloudfront.net), or keep auth_mode = \"none\"."
  }
}

variable "auth_name_claims" {
  description = "With sign-in: the ID token claims a person's display name is taken from, in order (AUTH_NAME_CLAIMS), e.g. [\"name\", \"email\"]. null uses the default in contract/contract.json (name, preferred_username, nickname, cognito:username). The page shows its own name from the default claims, so another order may show a person another name on their own lines than others see."
  type        = list(string)
  default     = null

  validation {
    condition     = var.auth_name_claims == null ? true : (length(var.auth_name_claims) > 0 && alltrue([for claim in var.auth_name_claims : can(regex("^[A-Za-z0-9_:.-]{1,128}$", claim))]))
    error_message = "auth_name_claims must be a non-empty list of claim names (letters, digits, _ : . -), such as [\"name\", \"preferred_username\"], or null."
  }

  validation {
    condition     = var.auth_name_claims == null || var.auth_mode != "none"
    error_message = "auth_name_claims is for the sign-in modes: set auth_mode = \"cognito\" or \"oidc\", or leave auth_name_claims null."
  }
}

variable "authorizer_zip_path" {
  description = "The $connect authorizer's deployment package built by `npm run build`, relative to this folder. Used only with auth_mode \"cognito\" or \"oidc\"."
  type        = string
  default     = "../backend/dist/authorizer.zip"

  validation {
    condition     = var.auth_mode == "none" || fileexists(var.authorizer_zip_path)
    error_message = "The authorizer's package does not exist: run `npm run build` in the repository root first (or `npm run deploy`, which builds)."
  }
}

variable "aws_region" {
  description = "AWS region to deploy to, e.g. \"eu-central-1\". null uses AWS_REGION / AWS_DEFAULT_REGION or the AWS CLI profile's region."
  type        = string
  default     = null

  validation {
    condition     = var.aws_region == null ? true : can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.aws_region))
    error_message = "aws_region must be a region code such as \"eu-central-1\", or null."
  }
}

variable "callback_rate_limit" {
  description = "PostToConnection calls per second all invocations of the function together may make (CALLBACK_RATE_LIMIT): this stack's share of the account's API Gateway throttle, which every API of the account and Region shares (10,000 requests/s by default, 2,500 in some newer Regions). The default is half the default quota."
  type        = number
  default     = 5000

  validation {
    condition     = var.callback_rate_limit >= 1 && var.callback_rate_limit <= local.setting_maximums.callbackRateLimit && floor(var.callback_rate_limit) == var.callback_rate_limit
    error_message = "callback_rate_limit must be a whole number of posts per second from 1 to ${local.setting_maximums.callbackRateLimit}; keep it below the account's API Gateway quota for the Region."
  }
}

variable "certificate_arn" {
  description = "With domain_name: the ARN of an issued ACM certificate in us-east-1 (the only Region CloudFront takes certificates from) that covers domain_name, for the page. In us-east-1 it may serve the WebSocket name too, if it covers it. Give this or route53_zone_id, not both."
  type        = string
  default     = null

  validation {
    condition     = var.certificate_arn == null ? true : can(regex("^arn:aws[a-z-]*:acm:us-east-1:[0-9]{12}:certificate/[A-Za-z0-9-]+$", var.certificate_arn))
    error_message = "certificate_arn must be the ARN of an ACM certificate in us-east-1 (arn:aws:acm:us-east-1:<account>:certificate/<id>): CloudFront takes certificates only from us-east-1, whatever the stack's Region."
  }

  validation {
    condition     = var.certificate_arn == null || var.domain_name != null
    error_message = "certificate_arn is for domain_name: set domain_name too, or leave certificate_arn null."
  }
}

variable "cognito_domain_prefix" {
  description = "With auth_mode = \"cognito\": the managed login pages' address, https://<prefix>.auth.<region>.amazoncognito.com; the prefix must be unused in the Region, by any AWS account. null uses chat-<the user pool's id suffix, lower-cased>."
  type        = string
  default     = null

  validation {
    condition     = var.cognito_domain_prefix == null ? true : (can(regex("^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$", var.cognito_domain_prefix)) && !can(regex("aws|amazon|cognito", var.cognito_domain_prefix)))
    error_message = "cognito_domain_prefix must be 1 to 63 lower-case letters, digits and hyphens, not starting or ending with a hyphen, and without \"aws\", \"amazon\" or \"cognito\" (Cognito reserves them), or null."
  }

  validation {
    condition     = var.cognito_domain_prefix == null || var.auth_mode == "cognito"
    error_message = "cognito_domain_prefix is for auth_mode = \"cognito\": set that too, or leave cognito_domain_prefix null."
  }
}

variable "cognito_self_sign_up" {
  description = "With auth_mode = \"cognito\": let anyone create an account on the managed login pages (an e-mail address they confirm with a code, a name, a password). false: only accounts an administrator creates (`aws cognito-idp admin-create-user`) may sign in."
  type        = bool
  default     = true
}

variable "delivery_window_seconds" {
  description = "How long after its acceptance a message's undelivered recipients are retried (DELIVERY_WINDOW_SECONDS); then the function puts them in the fan-out's dead-letter queue."
  type        = number
  default     = 60

  validation {
    condition     = var.delivery_window_seconds >= 1 && var.delivery_window_seconds <= local.setting_maximums.deliveryWindowSeconds && floor(var.delivery_window_seconds) == var.delivery_window_seconds
    error_message = "delivery_window_seconds must be a whole number of seconds from 1 to ${local.setting_maximums.deliveryWindowSeconds} (well inside the shard queue's hour of retention)."
  }
}

variable "domain_name" {
  description = "Serve the page at https://<domain_name> (CloudFront, TLSv1.2_2021 or newer) and the WebSocket API at wss://<websocket_domain_name> (an API Gateway REGIONAL custom domain, TLS 1.2), e.g. \"chat.example.com\". Needs enable_https, and certificates: certificate_arn (and websocket_certificate_arn) for certificates you bring, or route53_zone_id to have them created and DNS-validated. null keeps the *.cloudfront.net and *.execute-api addresses."
  type        = string
  default     = null

  validation {
    condition     = var.domain_name == null ? true : (length(var.domain_name) <= 253 && can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$", var.domain_name)))
    error_message = "domain_name must be a lower-case host name such as \"chat.example.com\": no scheme, port, path, wildcard or trailing dot."
  }

  validation {
    condition     = var.domain_name == null || var.enable_https
    error_message = "domain_name needs enable_https = true: CloudFront serves the page under that name, with its certificate."
  }
}

variable "enable_access_logs" {
  description = "Write API Gateway access logs (one JSON line per connect, message and disconnect; never a message body) to their own log group, kept log_retention_days. API Gateway needs the Region's account-wide CloudWatch role for it: one set already (aws apigateway get-account shows cloudWatchRoleArn), or manage_apigateway_account."
  type        = bool
  default     = true
}

variable "enable_https" {
  description = "Serve the page over HTTPS from a CloudFront distribution in front of a private bucket, with security headers (CSP with frame-ancestors, HSTS, nosniff, referrer policy). false serves it from the S3 website endpoint over plain HTTP."
  type        = bool
  default     = false
}

variable "extra_allowed_origins" {
  description = "Origins besides the website's own that may open a WebSocket, e.g. [\"http://localhost:8080\"] to use the deployed API from a page served locally."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for origin in var.extra_allowed_origins : can(regex("^https?://[a-z0-9.-]+(:[0-9]{1,5})?$", origin))])
    error_message = "Each extra allowed origin must be scheme://host[:port] in lower case, without a path or trailing slash, e.g. \"https://chat.example.com\"."
  }
}

variable "fanout_batch_size" {
  description = "Broadcast shards the fan-out queue hands the function per invocation. 1 gives each shard a whole invocation's time and retries only that shard on failure."
  type        = number
  default     = 1

  validation {
    condition     = var.fanout_batch_size >= 1 && var.fanout_batch_size <= 10 && floor(var.fanout_batch_size) == var.fanout_batch_size
    error_message = "fanout_batch_size must be a whole number from 1 to 10 (the most an SQS event source hands over without a batching window)."
  }
}

variable "fanout_maximum_concurrency" {
  description = "Most invocations working on broadcast shards at once (the event source mapping's maximum concurrency); the rest wait in the queue."
  type        = number
  default     = 5

  validation {
    condition     = var.fanout_maximum_concurrency >= 2 && var.fanout_maximum_concurrency <= 1000 && floor(var.fanout_maximum_concurrency) == var.fanout_maximum_concurrency
    error_message = "fanout_maximum_concurrency must be a whole number from 2 to 1000 (the range Lambda accepts for an SQS event source)."
  }
}

variable "fanout_age_alarm_seconds" {
  description = "Alarm when the oldest broadcast work in the fan-out queue has waited longer than this, in seconds: the shard workers are falling behind. Keep it well below the delivery window, so there is time to act before recipients are dead-lettered."
  type        = number
  default     = 30

  validation {
    condition     = var.fanout_age_alarm_seconds >= 1 && var.fanout_age_alarm_seconds <= 3600 && floor(var.fanout_age_alarm_seconds) == var.fanout_age_alarm_seconds
    error_message = "fanout_age_alarm_seconds must be a whole number of seconds from 1 to 3600 (the fan-out queue keeps work one hour)."
  }
}

variable "history_max_messages" {
  description = "The most messages a room keeps for late joiners. null uses the default in contract/contract.json."
  type        = number
  default     = null

  validation {
    condition     = var.history_max_messages == null ? true : (var.history_max_messages >= 1 && var.history_max_messages <= local.setting_maximums.historyMaxMessages && floor(var.history_max_messages) == var.history_max_messages)
    error_message = "history_max_messages must be a whole number from 1 to ${local.setting_maximums.historyMaxMessages}, or null."
  }
}

variable "history_ttl_seconds" {
  description = "How long a room keeps a message, in seconds; 0 keeps no message text at all. null uses the default in contract/contract.json (24 hours)."
  type        = number
  default     = null

  validation {
    condition     = var.history_ttl_seconds == null ? true : (var.history_ttl_seconds >= 0 && var.history_ttl_seconds <= local.setting_maximums.historyTtlSeconds && floor(var.history_ttl_seconds) == var.history_ttl_seconds)
    error_message = "history_ttl_seconds must be a whole number of seconds from 0 (no history) to ${local.setting_maximums.historyTtlSeconds} (${local.setting_maximums.historyTtlSeconds / 86400} days), or null."
  }
}

variable "lambda_memory_mb" {
  description = "Memory of the chat function in MB; Lambda's CPU share grows with it (one vCPU at 1769). A large room's broadcast is CPU-bound: more memory finishes it sooner for about the same GB-seconds."
  type        = number
  default     = 1024

  validation {
    condition     = var.lambda_memory_mb >= 128 && var.lambda_memory_mb <= 10240 && floor(var.lambda_memory_mb) == var.lambda_memory_mb
    error_message = "lambda_memory_mb must be a whole number from 128 to 10240."
  }
}

variable "lambda_timeout_seconds" {
  description = "Timeout of the chat function in seconds. API Gateway waits at most 29 s for an integration, so a longer timeout buys nothing."
  type        = number
  default     = 10

  validation {
    condition     = var.lambda_timeout_seconds >= 1 && var.lambda_timeout_seconds <= 29 && floor(var.lambda_timeout_seconds) == var.lambda_timeout_seconds
    error_message = "lambda_timeout_seconds must be a whole number from 1 to 29 (API Gateway's integration timeout)."
  }
}

variable "lambda_zip_path" {
  description = "The function's deployment package built by `npm run build`, relative to this folder."
  type        = string
  default     = "../backend/dist/lambda.zip"

  validation {
    condition     = fileexists(var.lambda_zip_path)
    error_message = "The Lambda package does not exist: run `npm run build` in the repository root first (or `npm run deploy`, which builds)."
  }
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps the function's logs and the API's access logs."
  type        = number
  default     = 14

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of CloudWatch's values: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "manage_apigateway_account" {
  description = "Create a role that lets API Gateway write this stack's access logs, and set it as the Region's API Gateway CloudWatch role. That setting is one per account and Region, used by every REST and WebSocket API there: leave false if one is set already or another stack owns it, or their APIs stop logging. destroy clears it."
  type        = bool
  default     = false

  validation {
    condition     = !var.manage_apigateway_account || var.enable_access_logs
    error_message = "manage_apigateway_account = true needs enable_access_logs = true: the role it sets may write only this stack's access logs."
  }
}

variable "max_connections_per_person" {
  description = "Open connections one person may have at once (MAX_CONNECTIONS_PER_PERSON): a signed-in user with sign-in, a source address (an IPv6 /64) without; $connect refuses more with 429. null uses the default in contract/contract.json (10)."
  type        = number
  default     = null

  validation {
    condition     = var.max_connections_per_person == null ? true : (var.max_connections_per_person >= 1 && var.max_connections_per_person <= local.setting_maximums.maxConnectionsPerPerson && floor(var.max_connections_per_person) == var.max_connections_per_person)
    error_message = "max_connections_per_person must be a whole number from 1 to ${local.setting_maximums.maxConnectionsPerPerson}, or null."
  }
}

variable "max_message_length" {
  description = "Longest chat message in UTF-16 code units (what JavaScript's length counts), enforced by the function and by the page. null uses the default in contract/contract.json."
  type        = number
  default     = null

  validation {
    condition     = var.max_message_length == null ? true : (var.max_message_length >= 1 && var.max_message_length <= 8000 && floor(var.max_message_length) == var.max_message_length)
    error_message = "max_message_length must be a whole number from 1 to 8000 (at most 3 bytes of UTF-8 per code unit: a message must fit API Gateway's 32 KB frame), or null."
  }
}

variable "name_prefix" {
  description = "Prefix of every resource name, so several stacks can share one account and region."
  type        = string
  default     = "awsome-chat"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,22}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 2 to 24 lower-case letters, digits or hyphens, starting with a letter and not ending with a hyphen (it becomes part of an S3 bucket name)."
  }
}

variable "oidc_client_id" {
  description = "With auth_mode = \"oidc\": the client id the page signs in as, registered with the issuer as a public client (no secret) with the authorization code flow and PKCE; its ID tokens' audience (AUTH_AUDIENCE). Register the sign_in_redirect_url output as its redirect and post-logout redirect URI."
  type        = string
  default     = null

  validation {
    condition     = var.oidc_client_id == null ? true : (can(regex("^[\\x21-\\x7e]{1,256}$", var.oidc_client_id)) && !strcontains(var.oidc_client_id, ","))
    error_message = "oidc_client_id must be 1 to 256 printable ASCII characters without spaces or commas."
  }

  validation {
    condition     = (var.oidc_client_id != null) == (var.auth_mode == "oidc")
    error_message = "auth_mode = \"oidc\" needs oidc_client_id (the page's client id at the issuer); the other modes take none."
  }
}

variable "oidc_connect_origins" {
  description = "With auth_mode = \"oidc\": origins besides the issuer's that the page must reach with fetch, for an issuer whose token or revocation endpoint is on another host, e.g. [\"https://oauth2.example.com\"]. They join the Content-Security-Policy's connect-src."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for origin in var.oidc_connect_origins : can(regex("^https://[a-z0-9.-]+(:[0-9]{1,5})?$", origin))])
    error_message = "Each of oidc_connect_origins must be https://host[:port] in lower case, without a path or trailing slash."
  }

  validation {
    condition     = length(var.oidc_connect_origins) == 0 || var.auth_mode == "oidc"
    error_message = "oidc_connect_origins is for auth_mode = \"oidc\": set that too, or leave oidc_connect_origins empty."
  }
}

variable "oidc_issuer" {
  description = "With auth_mode = \"oidc\": the OpenID Connect issuer, exactly as its ID tokens' iss claim says it (AUTH_ISSUER), e.g. \"https://login.example.com/realms/chat\"; its discovery document must be at <issuer>/.well-known/openid-configuration."
  type        = string
  default     = null

  validation {
    condition     = var.oidc_issuer == null ? true : can(regex("^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[^?#\\s]*)?$", var.oidc_issuer))
    error_message = "oidc_issuer must be an https URL without query, fragment or spaces, written exactly as the tokens' iss claim."
  }

  validation {
    condition     = (var.oidc_issuer != null) == (var.auth_mode == "oidc")
    error_message = "auth_mode = \"oidc\" needs oidc_issuer (the issuer's https URL); the other modes take none."
  }
}

variable "oidc_jwks_uri" {
  description = "With auth_mode = \"oidc\": where the issuer publishes its signing keys (AUTH_JWKS_URI). null: the authorizer reads it from the issuer's discovery document."
  type        = string
  default     = null

  validation {
    condition     = var.oidc_jwks_uri == null ? true : can(regex("^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[^#\\s]*)?$", var.oidc_jwks_uri))
    error_message = "oidc_jwks_uri must be an https URL without fragment or spaces."
  }

  validation {
    condition     = var.oidc_jwks_uri == null || var.auth_mode == "oidc"
    error_message = "oidc_jwks_uri is for auth_mode = \"oidc\": set that too, or leave oidc_jwks_uri null."
  }
}

variable "oidc_scope" {
  description = "With auth_mode = \"oidc\": the scopes the page asks for, space-separated, including openid; every one must be allowed for the client. null asks for \"openid profile\"."
  type        = string
  default     = null

  validation {
    condition     = var.oidc_scope == null ? true : (can(regex("^[\\x21\\x23-\\x5b\\x5d-\\x7e]+( [\\x21\\x23-\\x5b\\x5d-\\x7e]+)*$", var.oidc_scope)) && contains(split(" ", var.oidc_scope), "openid"))
    error_message = "oidc_scope must be scopes separated by single spaces, openid among them, e.g. \"openid profile\"."
  }

  validation {
    condition     = var.oidc_scope == null || var.auth_mode == "oidc"
    error_message = "oidc_scope is for auth_mode = \"oidc\": set that too, or leave oidc_scope null."
  }
}

variable "rate_limit_burst" {
  description = "Messages one connection may send at once before the per-connection rate limit refuses it with rate_limited. null uses the default in contract/contract.json."
  type        = number
  default     = null

  validation {
    condition     = var.rate_limit_burst == null ? true : (var.rate_limit_burst >= 1 && var.rate_limit_burst <= local.setting_maximums.rateLimitBurst && floor(var.rate_limit_burst) == var.rate_limit_burst)
    error_message = "rate_limit_burst must be a whole number from 1 to ${local.setting_maximums.rateLimitBurst}, or null."
  }
}

variable "rate_limit_per_second" {
  description = "Messages per second one connection may send in the long run. null uses the default in contract/contract.json."
  type        = number
  default     = null

  validation {
    condition     = var.rate_limit_per_second == null ? true : (var.rate_limit_per_second >= 1 && var.rate_limit_per_second <= local.setting_maximums.rateLimitPerSecond && floor(var.rate_limit_per_second) == var.rate_limit_per_second)
    error_message = "rate_limit_per_second must be a whole number from 1 to ${local.setting_maximums.rateLimitPerSecond}, or null."
  }
}

variable "reserved_concurrency" {
  description = "Optional cap on concurrent executions of the function, as a cost brake. null means no reservation; new accounts with a concurrency quota of 10 cannot reserve any."
  type        = number
  default     = null

  validation {
    condition     = var.reserved_concurrency == null ? true : (var.reserved_concurrency >= 1 && floor(var.reserved_concurrency) == var.reserved_concurrency)
    error_message = "reserved_concurrency must be a whole number of at least 1, or null."
  }
}

variable "route53_zone_id" {
  description = "With domain_name: the ID of the public Route 53 hosted zone that holds domain_name and websocket_domain_name (e.g. \"Z0123456789ABCDEFGHIJ\"). The stack then requests both certificates from ACM (the page's in us-east-1, the WebSocket API's in the stack's Region), validates them by DNS in the zone, and creates the alias records. Give this or certificate_arn, not both."
  type        = string
  default     = null

  validation {
    condition     = var.route53_zone_id == null ? true : can(regex("^[A-Z0-9]{1,32}$", var.route53_zone_id))
    error_message = "route53_zone_id must be a Route 53 hosted zone ID such as \"Z0123456789ABCDEFGHIJ\" (aws route53 list-hosted-zones-by-name --dns-name example.com), without the /hostedzone/ prefix."
  }

  validation {
    condition     = var.route53_zone_id == null || var.domain_name != null
    error_message = "route53_zone_id is for domain_name: set domain_name too, or leave route53_zone_id null."
  }

  # The checks between the certificate variables live here, so they reference each other in one
  # direction only (Terraform refuses validations that refer to each other in a cycle).
  validation {
    condition     = var.route53_zone_id == null || var.certificate_arn == null
    error_message = "Give certificate_arn (certificates you bring) or route53_zone_id (certificates the stack creates and validates in that zone), not both."
  }

  validation {
    condition     = var.domain_name == null || var.certificate_arn != null || var.route53_zone_id != null
    error_message = "domain_name needs certificates: set certificate_arn (an ACM certificate in us-east-1 for domain_name, plus websocket_certificate_arn in the stack's Region for the WebSocket name), or route53_zone_id to have both created and DNS-validated in that hosted zone."
  }
}

variable "send_concurrency" {
  description = "PostToConnection calls in flight at once while broadcasting a message. null leaves it unset so the function's default applies."
  type        = number
  default     = null

  validation {
    condition     = var.send_concurrency == null ? true : (var.send_concurrency >= 1 && var.send_concurrency <= local.setting_maximums.sendConcurrency && floor(var.send_concurrency) == var.send_concurrency)
    error_message = "send_concurrency must be a whole number from 1 to ${local.setting_maximums.sendConcurrency}, or null."
  }
}

variable "shard_size" {
  description = "Recipients one invocation posts to, inline and in each fan-out shard. null leaves it unset so the function derives it from its memory."
  type        = number
  default     = null

  validation {
    condition     = var.shard_size == null ? true : (var.shard_size >= 1 && var.shard_size <= local.setting_maximums.shardSize && floor(var.shard_size) == var.shard_size)
    error_message = "shard_size must be a whole number from 1 to ${local.setting_maximums.shardSize}, or null."
  }
}

variable "source_ip_rate_limit_burst" {
  description = "Without sign-in: messages all connections from one source address (an IPv6 /64) may send at once, together (SOURCE_IP_RATE_LIMIT_BURST); raise it where many people share an address. null leaves it unset, so it equals rate_limit_burst."
  type        = number
  default     = null

  validation {
    condition     = var.source_ip_rate_limit_burst == null ? true : (var.source_ip_rate_limit_burst >= 1 && var.source_ip_rate_limit_burst <= local.setting_maximums.rateLimitBurst && floor(var.source_ip_rate_limit_burst) == var.source_ip_rate_limit_burst)
    error_message = "source_ip_rate_limit_burst must be a whole number from 1 to ${local.setting_maximums.rateLimitBurst}, or null."
  }
}

variable "source_ip_rate_limit_per_second" {
  description = "Without sign-in: messages per second all connections from one source address may send together in the long run (SOURCE_IP_RATE_LIMIT_PER_SECOND). null leaves it unset, so it equals rate_limit_per_second."
  type        = number
  default     = null

  validation {
    condition     = var.source_ip_rate_limit_per_second == null ? true : (var.source_ip_rate_limit_per_second >= 1 && var.source_ip_rate_limit_per_second <= local.setting_maximums.rateLimitPerSecond && floor(var.source_ip_rate_limit_per_second) == var.source_ip_rate_limit_per_second)
    error_message = "source_ip_rate_limit_per_second must be a whole number from 1 to ${local.setting_maximums.rateLimitPerSecond}, or null."
  }
}

variable "stage_name" {
  description = "Name of the WebSocket API stage (the last path segment of the wss:// URL). null uses the stage in contract/contract.json."
  type        = string
  default     = null

  validation {
    condition     = var.stage_name == null ? true : can(regex("^[A-Za-z0-9_-]{1,128}$", var.stage_name))
    error_message = "stage_name must be 1 to 128 letters, digits, hyphens or underscores, or null."
  }
}

variable "tags" {
  description = "Tags added to every resource (provider default_tags), e.g. { CostCenter = \"chat\" }."
  type        = map(string)
  default     = {}
}

variable "throttle_burst_limit" {
  description = "Stage-wide burst of messages (and connects) API Gateway accepts before throttling, shared by all clients. The default withstands 5 people flooding at once at the default per-person limits (docs/auth.md, Sizing the stage throttle)."
  type        = number
  default     = 200

  validation {
    condition     = var.throttle_burst_limit >= 0 && var.throttle_burst_limit <= 5000 && floor(var.throttle_burst_limit) == var.throttle_burst_limit
    error_message = "throttle_burst_limit must be a whole number from 0 to 5000 (the account's burst quota)."
  }
}

variable "throttle_rate_limit" {
  description = "Stage-wide steady rate of messages (and connects) per second API Gateway accepts, shared by all clients. The default keeps 50 a second for everyone else while 5 people flood at the default per-person limits (docs/auth.md, Sizing the stage throttle)."
  type        = number
  default     = 70

  validation {
    condition     = var.throttle_rate_limit >= 0 && var.throttle_rate_limit <= 10000
    error_message = "throttle_rate_limit must be from 0 to 10000 requests per second (the account's quota)."
  }
}

variable "websocket_certificate_arn" {
  description = "With certificate_arn: the ARN of an issued ACM certificate in the stack's own Region that covers websocket_domain_name (a REGIONAL API Gateway custom domain takes certificates only from its Region). null uses certificate_arn, which works only for a stack in us-east-1 whose certificate covers both names."
  type        = string
  default     = null

  validation {
    condition     = var.websocket_certificate_arn == null ? true : can(regex("^arn:aws[a-z-]*:acm:[a-z]{2}(-[a-z]+)+-[0-9]:[0-9]{12}:certificate/[A-Za-z0-9-]+$", var.websocket_certificate_arn))
    error_message = "websocket_certificate_arn must be the ARN of an ACM certificate (arn:aws:acm:<region>:<account>:certificate/<id>) in the stack's Region."
  }

  validation {
    condition     = var.websocket_certificate_arn == null || var.certificate_arn != null
    error_message = "websocket_certificate_arn goes with certificate_arn (certificates you bring); with route53_zone_id the stack creates both certificates itself."
  }
}

variable "websocket_domain_name" {
  description = "With domain_name: the WebSocket API's own name, e.g. \"chat-ws.example.com\". null uses ws.<domain_name>. Mind that a wildcard certificate covers one level only: *.example.com covers chat.example.com and chat-ws.example.com, not ws.chat.example.com."
  type        = string
  default     = null

  validation {
    condition     = var.websocket_domain_name == null ? true : (length(var.websocket_domain_name) <= 253 && can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$", var.websocket_domain_name)))
    error_message = "websocket_domain_name must be a lower-case host name such as \"chat-ws.example.com\": no scheme, port, path, wildcard or trailing dot."
  }

  validation {
    condition     = var.websocket_domain_name == null || (var.domain_name != null && var.websocket_domain_name != var.domain_name)
    error_message = "websocket_domain_name needs domain_name, and must differ from it: CloudFront serves the page at domain_name, API Gateway the WebSocket at this one."
  }
}

variable "website_dir" {
  description = "The built chat page (`npm run build`), relative to this folder. index.html and config.js are rendered from frontend/*.tftpl instead."
  type        = string
  default     = "../frontend/dist"

  validation {
    condition     = length(fileset(var.website_dir, "**")) > 0
    error_message = "The built chat page is missing or empty: run `npm run build` in the repository root first (or `npm run deploy`, which builds)."
  }
}
