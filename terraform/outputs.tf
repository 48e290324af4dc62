output "access_log_group_name" {
  description = "CloudWatch log group of the API's access logs, one JSON line per connect, message and disconnect (null with enable_access_logs = false): `aws logs tail <name> --follow`, or Logs Insights."
  value       = try(aws_cloudwatch_log_group.api_access[0].name, null)
}

output "alarm_topic_arn" {
  description = "SNS topic the CloudWatch alarms notify; subscribe more endpoints with `aws sns subscribe --topic-arn <arn> --protocol email --notification-endpoint <address>` (alarm_email subscribes one)."
  value       = aws_sns_topic.alarms.arn
}

output "authorizer_log_group_name" {
  description = "With sign-in: CloudWatch log group of the $connect authorizer, one JSON line per handshake (authorized with the sender id, or unauthorized with the reason; never the token): `aws logs tail <name> --follow`. null with auth_mode = \"none\"."
  value       = try(aws_cloudwatch_log_group.authorizer[0].name, null)
}

output "cloudfront_distribution_id" {
  description = "ID of the CloudFront distribution serving the page with enable_https (null without), e.g. for `aws cloudfront create-invalidation`."
  value       = try(aws_cloudfront_distribution.this[0].id, null)
}

output "cognito_app_client_id" {
  description = "With auth_mode = \"cognito\": the chat page's app client in the user pool (its ID tokens' audience), e.g. for the Cognito console. null in the other modes."
  value       = try(aws_cognito_user_pool_client.this[0].id, null)
}

output "cognito_managed_login_url" {
  description = "With auth_mode = \"cognito\": the origin of Cognito's sign-in and sign-up pages (https://<prefix>.auth.<region>.amazoncognito.com). People reach them through the page's Sign in button. null in the other modes."
  value       = local.cognito_login_origin
}

output "cognito_user_pool_id" {
  description = "With auth_mode = \"cognito\": the user pool holding the chat's accounts, for `aws cognito-idp admin-create-user --user-pool-id <id> …` and the Cognito console. null in the other modes."
  value       = try(aws_cognito_user_pool.this[0].id, null)
}

output "dashboard_url" {
  description = "The CloudWatch dashboard of message delivery (recipients, time to last delivery, the fan-out queue, the function, the alarms): open it in a browser signed in to the account."
  value       = "https://${local.console_host}/cloudwatch/home?region=${local.region}#dashboards/dashboard/${aws_cloudwatch_dashboard.this.dashboard_name}"
}

output "dns_records" {
  description = "With domain_name: the DNS records each name needs, name => { type, value }. With route53_zone_id the stack created them (as alias records); with your own certificates, create them at your DNS provider (a CNAME, or an ALIAS/ANAME at a zone's apex). null without domain_name."
  value = local.custom_domain ? {
    for name, target in local.dns_targets : name => { type = "CNAME", value = target }
  } : null
}

output "fanout_dlq_arn" {
  description = "ARN of the fan-out dead-letter queue, for `aws sqs start-message-move-task --source-arn <arn>` (redrive)."
  value       = aws_sqs_queue.fanout_dlq.arn
}

output "fanout_dlq_url" {
  description = "URL of the fan-out dead-letter queue: broadcast shards that failed five times, e.g. for `aws sqs get-queue-attributes --queue-url <url>`."
  value       = aws_sqs_queue.fanout_dlq.url
}

output "fanout_queue_arn" {
  description = "ARN of the fan-out queue, the destination when redriving the dead-letter queue: `aws sqs start-message-move-task --source-arn <fanout_dlq_arn> --destination-arn <arn>`."
  value       = aws_sqs_queue.fanout.arn
}

output "fanout_queue_url" {
  description = "URL of the SQS queue the function hands broadcast shards to (SHARD_QUEUE_URL)."
  value       = aws_sqs_queue.fanout.url
}

output "function_name" {
  description = "Name of the chat Lambda function, e.g. for `aws lambda invoke` or the Lambda console."
  value       = aws_lambda_function.this.function_name
}

output "log_group_name" {
  description = "CloudWatch log group of the function: `aws logs tail <name> --follow` shows one JSON line per invocation."
  value       = aws_cloudwatch_log_group.lambda.name
}

output "rooms_table_name" {
  description = "DynamoDB table of rooms: each room's head count and its kept messages (the chat's history; empty when history_ttl_seconds is 0)."
  value       = aws_dynamodb_table.rooms.name
}

output "sign_in_redirect_url" {
  description = "With sign-in: where the identity provider sends people back after signing in and out (the page's folder, with its trailing slash). With auth_mode = \"oidc\", register it with your issuer as the client's redirect URI and post-logout redirect URI; the Cognito app client has it already. null with auth_mode = \"none\"."
  value       = local.auth_enabled ? local.sign_in_redirect_url : null
}

output "table_name" {
  description = "DynamoDB table holding one item per open WebSocket connection."
  value       = aws_dynamodb_table.connections.name
}

output "website_url" {
  description = "The chat page: https://<domain_name> with a custom name, https://<id>.cloudfront.net with enable_https, else the plain HTTP S3 website endpoint. Open it in several browser tabs."
  value       = local.website_origin
}

output "websocket_url" {
  description = "wss:// URL of the WebSocket API stage that the page connects to (wss://<websocket_domain_name> with a custom name), e.g. for a CLI client such as wscat."
  value       = local.websocket_url
}
