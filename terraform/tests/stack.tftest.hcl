# The whole stack applied against a mocked AWS provider: offline, free, no credentials.
# Expected values are written out literally (the mock defaults live in tests/mocks), so a change
# in the configuration or in contract/contract.json shows up here as a failing assertion.

mock_provider "aws" {
  source = "./tests/mocks"
}

# CloudFront's certificates come from us-east-1 (providers.tf); mocked the same way.
mock_provider "aws" {
  alias  = "us_east_1"
  source = "./tests/mocks"
}

# Two queues of one type: the mock's defaults would give both the same ARN and URL.
override_resource {
  target = aws_sqs_queue.fanout
  values = {
    arn = "arn:aws:sqs:eu-central-1:123456789012:awsome-chat-fanout"
    url = "https://sqs.eu-central-1.amazonaws.com/123456789012/awsome-chat-fanout"
  }
}

override_resource {
  target = aws_sqs_queue.fanout_dlq
  values = {
    arn = "arn:aws:sqs:eu-central-1:123456789012:awsome-chat-fanout-dlq"
    url = "https://sqs.eu-central-1.amazonaws.com/123456789012/awsome-chat-fanout-dlq"
  }
}

# Two log groups of one type, likewise: the function's (the mock's default) and the access logs'.
override_resource {
  target = aws_cloudwatch_log_group.api_access
  values = {
    arn = "arn:aws:logs:eu-central-1:123456789012:log-group:/aws/apigateway/awsome-chat-websocket/access"
  }
}

# Two tables of one type, likewise.
override_resource {
  target = aws_dynamodb_table.rooms
  values = {
    arn = "arn:aws:dynamodb:eu-central-1:123456789012:table/awsome-chat-rooms"
  }
}

variables {
  aws_region      = "eu-central-1"
  lambda_zip_path = "tests/fixtures/lambda-package.stub"
  website_dir     = "tests/fixtures/site"
}

run "websocket_api" {
  command = apply

  assert {
    condition     = aws_apigatewayv2_api.this.protocol_type == "WEBSOCKET"
    error_message = "The API must be a WebSocket API."
  }

  assert {
    condition     = aws_apigatewayv2_api.this.route_selection_expression == "$request.body.action"
    error_message = "Routes must be selected by $request.body.action."
  }

  assert {
    condition     = toset(keys(aws_apigatewayv2_route.this)) == toset(["$connect", "$disconnect", "$default"])
    error_message = "Expected exactly the routes $connect, $disconnect and $default."
  }

  assert {
    condition     = alltrue([for key, route in aws_apigatewayv2_route.this : route.route_key == key && route.target == "integrations/${aws_apigatewayv2_integration.this.id}"])
    error_message = "Every route must target the one Lambda integration."
  }

  assert {
    condition     = aws_apigatewayv2_integration.this.integration_type == "AWS_PROXY" && aws_apigatewayv2_integration.this.integration_uri == aws_lambda_function.this.invoke_arn
    error_message = "The integration must be AWS_PROXY to the function's invoke_arn."
  }

  assert {
    condition     = aws_apigatewayv2_stage.this.name == "prod" && aws_apigatewayv2_stage.this.deployment_id == aws_apigatewayv2_deployment.this.id
    error_message = "The stage must be \"prod\" and serve the current deployment."
  }

  assert {
    condition     = aws_apigatewayv2_stage.this.default_route_settings[0].throttling_burst_limit == 200 && aws_apigatewayv2_stage.this.default_route_settings[0].throttling_rate_limit == 70
    error_message = "Default throttling must be burst 200, rate 70 (5 abusers at once, 50 requests a second left: docs/auth.md)."
  }

  assert {
    condition     = aws_apigatewayv2_stage.this.access_log_settings[0].destination_arn == aws_cloudwatch_log_group.api_access[0].arn && aws_cloudwatch_log_group.api_access[0].name == "/aws/apigateway/awsome-chat-websocket/access"
    error_message = "Access logs must be on by default, in their own log group."
  }

  assert {
    condition     = length(aws_api_gateway_account.this) == 0 && length(aws_iam_role.apigateway_cloudwatch) == 0
    error_message = "The Region's account-wide API Gateway CloudWatch role must be left alone by default: other stacks may own it."
  }

  assert {
    condition     = aws_lambda_permission.this.principal == "apigateway.amazonaws.com" && aws_lambda_permission.this.function_name == "awsome-chat-chat"
    error_message = "Only API Gateway may invoke the function."
  }

  assert {
    condition     = aws_lambda_permission.this.source_arn == "arn:aws:execute-api:eu-central-1:123456789012:abc123/prod/*"
    error_message = "The invoke permission must be scoped to this API's stage."
  }

  assert {
    condition     = alltrue([for route in aws_apigatewayv2_route.this : route.authorization_type == "NONE" && route.authorizer_id == null])
    error_message = "Without sign-in (auth_mode = \"none\", the default) no route may have an authorizer."
  }

  assert {
    condition = (
      length(aws_apigatewayv2_authorizer.this) == 0 && length(aws_lambda_function.authorizer) == 0 &&
      length(aws_lambda_permission.authorizer) == 0 && length(aws_iam_role.authorizer) == 0 &&
      length(aws_cognito_user_pool.this) == 0 && length(aws_cognito_user_pool_client.this) == 0 &&
      length(aws_cognito_user_pool_domain.this) == 0
    )
    error_message = "The open chat needs no authorizer and no user pool."
  }
}

run "function_role_is_least_privilege" {
  command = apply

  assert {
    condition = jsondecode(aws_iam_role_policy.lambda.policy).Statement == [
      {
        Sid      = "WriteOwnLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = ["arn:aws:logs:eu-central-1:123456789012:log-group:/aws/lambda/awsome-chat-chat:*"]
      },
      {
        Sid      = "TrackConnections"
        Effect   = "Allow"
        Action   = ["dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem", "dynamodb:GetItem", "dynamodb:BatchGetItem"]
        Resource = ["arn:aws:dynamodb:eu-central-1:123456789012:table/awsome-chat-connections"]
      },
      {
        Sid      = "ListRoomMembers"
        Effect   = "Allow"
        Action   = ["dynamodb:Query"]
        Resource = ["arn:aws:dynamodb:eu-central-1:123456789012:table/awsome-chat-connections/index/byRoom"]
      },
      {
        Sid      = "KeepRooms"
        Effect   = "Allow"
        Action   = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:Query"]
        Resource = ["arn:aws:dynamodb:eu-central-1:123456789012:table/awsome-chat-rooms"]
      },
      {
        Sid      = "PostToConnections"
        Effect   = "Allow"
        Action   = ["execute-api:ManageConnections"]
        Resource = ["arn:aws:execute-api:eu-central-1:123456789012:abc123/prod/POST/@connections/*"]
      },
      {
        Sid    = "CheckAndCloseConnections"
        Effect = "Allow"
        Action = ["execute-api:ManageConnections"]
        Resource = [
          "arn:aws:execute-api:eu-central-1:123456789012:abc123/prod/GET/@connections/*",
          "arn:aws:execute-api:eu-central-1:123456789012:abc123/prod/DELETE/@connections/*",
        ]
      },
      {
        Sid      = "EnqueueShards"
        Effect   = "Allow"
        Action   = ["sqs:SendMessage"]
        Resource = ["arn:aws:sqs:eu-central-1:123456789012:awsome-chat-fanout"]
      },
      {
        Sid      = "ReceiveShards"
        Effect   = "Allow"
        Action   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
        Resource = ["arn:aws:sqs:eu-central-1:123456789012:awsome-chat-fanout"]
      },
      {
        Sid      = "DeadLetterRecipients"
        Effect   = "Allow"
        Action   = ["sqs:SendMessage"]
        Resource = ["arn:aws:sqs:eu-central-1:123456789012:awsome-chat-fanout-dlq"]
      },
    ]
    error_message = "The function's policy must grant exactly: log streams of its log group, PutItem/DeleteItem/UpdateItem/GetItem/BatchGetItem on its connections table (no Scan), Query on its byRoom index, PutItem/UpdateItem/DeleteItem/GetItem/Query on its rooms table, ManageConnections on its stage's POST, GET and DELETE @connections paths, SendMessage and ReceiveMessage/DeleteMessage/GetQueueAttributes on the fan-out queue, and SendMessage alone on the dead-letter queue."
  }

  assert {
    condition     = alltrue(flatten([for statement in jsondecode(aws_iam_role_policy.lambda.policy).Statement : [for action in statement.Action : !strcontains(action, "*")]]))
    error_message = "No action may contain a wildcard."
  }

  assert {
    condition     = alltrue(flatten([for statement in jsondecode(aws_iam_role_policy.lambda.policy).Statement : [for resource in statement.Resource : resource != "*" && startswith(resource, "arn:aws:")]]))
    error_message = "No statement may apply to every resource (\"*\")."
  }

  assert {
    condition     = jsondecode(aws_iam_role.lambda.assume_role_policy).Statement[0].Principal == { Service = "lambda.amazonaws.com" }
    error_message = "Only Lambda may assume the function's role."
  }

  assert {
    condition     = aws_lambda_function.this.role == aws_iam_role.lambda.arn
    error_message = "The function must run with its own role."
  }
}

run "function" {
  command = apply

  assert {
    condition     = aws_lambda_function.this.runtime == "nodejs22.x" && aws_lambda_function.this.handler == "index.handler" && aws_lambda_function.this.architectures == tolist(["arm64"])
    error_message = "The function must be nodejs22.x on arm64 with handler index.handler."
  }

  assert {
    condition     = aws_lambda_function.this.filename == "tests/fixtures/lambda-package.stub" && aws_lambda_function.this.source_code_hash == filebase64sha256("tests/fixtures/lambda-package.stub")
    error_message = "The function must deploy the package at lambda_zip_path with its hash, so a rebuild redeploys."
  }

  assert {
    condition = aws_lambda_function.this.environment[0].variables == tomap({
      TABLE_NAME              = "awsome-chat-connections"
      ROOMS_TABLE_NAME        = "awsome-chat-rooms"
      HISTORY_MAX_MESSAGES    = tostring(jsondecode(file("../contract/contract.json")).limits.historyMaxMessages)
      HISTORY_TTL_SECONDS     = tostring(jsondecode(file("../contract/contract.json")).limits.historyTtlSeconds)
      APIGW_ENDPOINT          = "https://abc123.execute-api.eu-central-1.amazonaws.com/prod"
      ALLOWED_ORIGINS         = "http://awsome-chat-site-mock.s3-website.eu-central-1.amazonaws.com"
      MAX_MESSAGE_LENGTH      = tostring(jsondecode(file("../contract/contract.json")).limits.maxMessageLength)
      SHARD_QUEUE_URL         = "https://sqs.eu-central-1.amazonaws.com/123456789012/awsome-chat-fanout"
      RATE_LIMIT_BURST        = "10"
      RATE_LIMIT_PER_SECOND   = "2"
      CALLBACK_RATE_LIMIT     = "5000"
      DELIVERY_WINDOW_SECONDS = "60"
      DEAD_LETTER_QUEUE_URL   = "https://sqs.eu-central-1.amazonaws.com/123456789012/awsome-chat-fanout-dlq"
      AUTH_MODE               = "none"
      # The contract's default, 10.
      MAX_CONNECTIONS_PER_PERSON = tostring(jsondecode(file("../contract/contract.json")).limits.maxConnectionsPerPerson)
    })
    error_message = "Environment must be exactly TABLE_NAME, ROOMS_TABLE_NAME, HISTORY_MAX_MESSAGES and HISTORY_TTL_SECONDS (the contract's defaults), APIGW_ENDPOINT (https, API endpoint + stage), ALLOWED_ORIGINS (the website), MAX_MESSAGE_LENGTH (the contract's default), the rate limits (the contract's burst of 10 and 2 per second), SHARD_QUEUE_URL (the fan-out queue), CALLBACK_RATE_LIMIT 5000 and DELIVERY_WINDOW_SECONDS 60 (the defaults), DEAD_LETTER_QUEUE_URL (the dead-letter queue), AUTH_MODE none and MAX_CONNECTIONS_PER_PERSON (the contract's default); SEND_CONCURRENCY, SHARD_SIZE and SOURCE_IP_RATE_LIMIT_* unset."
  }

  assert {
    condition     = aws_lambda_function.this.memory_size == 1024 && aws_lambda_function.this.timeout == 10
    error_message = "Default memory 1024 MB and timeout 10 s."
  }

  assert {
    condition     = aws_lambda_function.this.logging_config[0].log_format == "JSON" && aws_lambda_function.this.logging_config[0].log_group == aws_cloudwatch_log_group.lambda.name
    error_message = "The function must log JSON to its own log group."
  }

  assert {
    condition     = aws_cloudwatch_log_group.lambda.name == "/aws/lambda/awsome-chat-chat" && aws_cloudwatch_log_group.lambda.retention_in_days == 14
    error_message = "The function's log group must keep logs 14 days by default."
  }
}

run "fanout_queue" {
  command = apply

  assert {
    condition     = aws_sqs_queue.fanout.name == "awsome-chat-fanout" && aws_sqs_queue.fanout_dlq.name == "awsome-chat-fanout-dlq"
    error_message = "The queues must be named after the prefix."
  }

  assert {
    condition     = aws_sqs_queue.fanout.visibility_timeout_seconds == 60
    error_message = "The queue's visibility timeout must be six times the function timeout (10 s by default)."
  }

  assert {
    condition     = aws_sqs_queue.fanout.message_retention_seconds == 3600 && aws_sqs_queue.fanout_dlq.message_retention_seconds == 1209600
    error_message = "Shards must be kept one hour on the queue, 14 days on the dead-letter queue."
  }

  assert {
    condition = jsondecode(aws_sqs_queue.fanout.redrive_policy) == {
      deadLetterTargetArn = "arn:aws:sqs:eu-central-1:123456789012:awsome-chat-fanout-dlq"
      maxReceiveCount     = 5
    }
    error_message = "A shard received five times must move to the dead-letter queue."
  }


  assert {
    condition     = aws_sqs_queue.fanout.sqs_managed_sse_enabled && aws_sqs_queue.fanout_dlq.sqs_managed_sse_enabled
    error_message = "Both queues must encrypt messages at rest."
  }

  assert {
    condition     = aws_lambda_event_source_mapping.this.event_source_arn == aws_sqs_queue.fanout.arn && aws_lambda_event_source_mapping.this.function_name == aws_lambda_function.this.arn
    error_message = "The event source mapping must feed the fan-out queue to the chat function itself."
  }

  assert {
    condition     = aws_lambda_event_source_mapping.this.batch_size == 1 && aws_lambda_event_source_mapping.this.scaling_config[0].maximum_concurrency == 5
    error_message = "Default batch size 1 and maximum concurrency 5."
  }

  assert {
    condition     = aws_lambda_event_source_mapping.this.function_response_types == toset(["ReportBatchItemFailures"])
    error_message = "The mapping must let the function report the shards that failed."
  }

  assert {
    condition     = aws_lambda_function.this.reserved_concurrent_executions == null || aws_lambda_function.this.reserved_concurrent_executions == -1
    error_message = "No concurrency is reserved by default: accounts with a quota of 10 cannot reserve any."
  }
}

run "connection_table" {
  command = apply

  assert {
    condition     = aws_dynamodb_table.connections.billing_mode == "PAY_PER_REQUEST" && aws_dynamodb_table.connections.hash_key == "connectionId"
    error_message = "The table must be on-demand and keyed by connectionId."
  }

  assert {
    condition     = aws_dynamodb_table.connections.attribute == toset([{ name = "connectionId", type = "S" }, { name = "room", type = "S" }])
    error_message = "connectionId and room must be the table's only (string) key attributes."
  }

  assert {
    condition = (
      one(aws_dynamodb_table.connections.global_secondary_index).name == "byRoom" &&
      one(aws_dynamodb_table.connections.global_secondary_index).hash_key == "room" &&
      one(aws_dynamodb_table.connections.global_secondary_index).range_key == "connectionId" &&
      one(aws_dynamodb_table.connections.global_secondary_index).projection_type == "INCLUDE" &&
      one(aws_dynamodb_table.connections.global_secondary_index).non_key_attributes == toset(["expiresAt"])
    )
    error_message = "The byRoom index must be keyed by room and connectionId and carry expiresAt, for a room's Query and its TTL filter."
  }

  assert {
    condition     = aws_dynamodb_table.connections.ttl[0].enabled && aws_dynamodb_table.connections.ttl[0].attribute_name == "expiresAt"
    error_message = "TTL must be enabled on expiresAt."
  }
}

run "rooms_table" {
  command = apply

  assert {
    condition     = aws_dynamodb_table.rooms.billing_mode == "PAY_PER_REQUEST" && aws_dynamodb_table.rooms.hash_key == "room" && aws_dynamodb_table.rooms.range_key == "slot"
    error_message = "The rooms table must be on-demand and keyed by room and slot."
  }

  assert {
    condition     = aws_dynamodb_table.rooms.attribute == toset([{ name = "room", type = "S" }, { name = "slot", type = "N" }])
    error_message = "room (string) and slot (number) must be the rooms table's key attributes."
  }

  assert {
    condition     = aws_dynamodb_table.rooms.ttl[0].enabled && aws_dynamodb_table.rooms.ttl[0].attribute_name == "expiresAt"
    error_message = "TTL must be enabled on the rooms table's expiresAt."
  }

  assert {
    condition     = output.rooms_table_name == aws_dynamodb_table.rooms.name
    error_message = "rooms_table_name must name the rooms table."
  }
}

run "website_bucket" {
  command = apply

  assert {
    condition     = startswith(aws_s3_bucket.this.bucket_prefix, "awsome-chat-site-") && aws_s3_bucket.this.force_destroy
    error_message = "The bucket must be named after the prefix and be removable by terraform destroy while it holds objects."
  }

  assert {
    condition     = aws_s3_bucket_ownership_controls.this.rule[0].object_ownership == "BucketOwnerEnforced"
    error_message = "Object ownership must be enforced (ACLs disabled)."
  }

  assert {
    condition = (
      aws_s3_bucket_public_access_block.this.block_public_acls &&
      aws_s3_bucket_public_access_block.this.ignore_public_acls &&
      !aws_s3_bucket_public_access_block.this.block_public_policy &&
      !aws_s3_bucket_public_access_block.this.restrict_public_buckets
    )
    error_message = "Public access block must block and ignore ACLs but allow the public bucket policy."
  }

  assert {
    condition = jsondecode(aws_s3_bucket_policy.this.policy).Statement == [{
      Sid       = "PublicReadObjects"
      Effect    = "Allow"
      Principal = "*"
      Action    = "s3:GetObject"
      Resource  = "arn:aws:s3:::awsome-chat-site-mock/*"
    }]
    error_message = "The bucket policy must allow exactly public s3:GetObject on the bucket's objects."
  }

  assert {
    condition     = aws_s3_bucket_website_configuration.this[0].index_document[0].suffix == "index.html"
    error_message = "The website must serve index.html."
  }

  assert {
    condition     = length(aws_cloudfront_distribution.this) == 0 && length(aws_cloudfront_origin_access_control.this) == 0 && length(aws_cloudfront_response_headers_policy.this) == 0
    error_message = "CloudFront is opt-in (enable_https); the default is the S3 website."
  }
}

run "website_objects" {
  command = apply

  assert {
    condition     = toset(keys(aws_s3_object.site)) == toset(["app.js", "style.css", "assets/logo.svg", "assets/photo.WEBP", "LICENSE"])
    error_message = "Every built file except index.html and config.js (rendered from templates) must be uploaded."
  }

  assert {
    condition = {
      for key, object in aws_s3_object.site : key => object.content_type
      } == {
      "app.js"            = "text/javascript; charset=utf-8"
      "style.css"         = "text/css; charset=utf-8"
      "assets/logo.svg"   = "image/svg+xml"
      "assets/photo.WEBP" = "image/webp"
      "LICENSE"           = "application/octet-stream"
    }
    error_message = "Each file must be served with its content type (extension matched case-insensitively)."
  }

  assert {
    condition     = alltrue([for object in aws_s3_object.site : object.cache_control == "no-cache"])
    error_message = "Built files have no content hash in their names, so browsers must revalidate them."
  }

  assert {
    condition     = alltrue([for key, object in aws_s3_object.site : object.etag == filemd5("tests/fixtures/site/${key}")])
    error_message = "Objects must carry their file's MD5, so a changed file is uploaded again."
  }

  assert {
    condition     = alltrue([for object in concat(values(aws_s3_object.site), [aws_s3_object.config, aws_s3_object.index]) : object.acl == "(not set by the configuration)"])
    error_message = "No object may set an ACL: the bucket enforces ownership and rejects them."
  }

  assert {
    condition = aws_s3_object.config.content == templatefile("../frontend/config.js.tftpl", {
      config = {
        websocketUrl     = "wss://abc123.execute-api.eu-central-1.amazonaws.com/prod"
        maxMessageLength = jsondecode(file("../contract/contract.json")).limits.maxMessageLength
      }
    })
    error_message = "config.js must be frontend/config.js.tftpl rendered with the stage's wss:// URL."
  }

  assert {
    condition     = strcontains(aws_s3_object.config.content, "\"websocketUrl\":\"wss://abc123.execute-api.eu-central-1.amazonaws.com/prod\"")
    error_message = "config.js must hold the WebSocket URL as a JSON string."
  }

  assert {
    condition = aws_s3_object.index.content == templatefile("../frontend/index.html.tftpl", {
      content_security_policy = trimspace(templatefile("../frontend/content-security-policy.tftpl", { connect_sources = "wss://abc123.execute-api.eu-central-1.amazonaws.com/prod" }))
    })
    error_message = "index.html must be frontend/index.html.tftpl rendered with frontend/content-security-policy.tftpl for the stage's wss:// URL."
  }

  assert {
    condition     = strcontains(aws_s3_object.index.content, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; ") && strcontains(aws_s3_object.index.content, "connect-src wss://abc123.execute-api.eu-central-1.amazonaws.com/prod; ")
    error_message = "index.html's meta tag must carry the policy, with the WebSocket URL as connect-src."
  }

  assert {
    condition = (
      aws_s3_object.config.content_type == "text/javascript; charset=utf-8" && aws_s3_object.config.cache_control == "no-cache" &&
      aws_s3_object.index.content_type == "text/html; charset=utf-8" && aws_s3_object.index.cache_control == "no-cache"
    )
    error_message = "config.js and index.html must have their content types and no-cache, so a new deployment is picked up at once."
  }
}

run "outputs" {
  command = apply

  assert {
    condition     = output.website_url == "http://awsome-chat-site-mock.s3-website.eu-central-1.amazonaws.com" && output.cloudfront_distribution_id == null
    error_message = "website_url must be the bucket's HTTP website endpoint; there is no distribution."
  }

  assert {
    condition     = output.websocket_url == "wss://abc123.execute-api.eu-central-1.amazonaws.com/prod"
    error_message = "websocket_url must be the stage's wss:// URL."
  }

  assert {
    condition     = output.table_name == "awsome-chat-connections" && output.function_name == "awsome-chat-chat" && output.log_group_name == "/aws/lambda/awsome-chat-chat"
    error_message = "Outputs must name the table, the function and its log group."
  }

  assert {
    condition = (
      output.cognito_user_pool_id == null && output.cognito_app_client_id == null &&
      output.cognito_managed_login_url == null && output.sign_in_redirect_url == null &&
      output.authorizer_log_group_name == null
    )
    error_message = "Without sign-in the sign-in outputs must be null."
  }

  assert {
    condition = (
      output.fanout_queue_url == "https://sqs.eu-central-1.amazonaws.com/123456789012/awsome-chat-fanout" &&
      output.fanout_dlq_url == "https://sqs.eu-central-1.amazonaws.com/123456789012/awsome-chat-fanout-dlq" &&
      output.fanout_dlq_arn == "arn:aws:sqs:eu-central-1:123456789012:awsome-chat-fanout-dlq"
    )
    error_message = "Outputs must give the fan-out queue's URL and the dead-letter queue's URL and ARN."
  }
}

run "settings_come_from_variables" {
  command = apply

  variables {
    name_prefix                     = "team-b"
    stage_name                      = "dev"
    throttle_burst_limit            = 20
    throttle_rate_limit             = 5
    log_retention_days              = 30
    lambda_memory_mb                = 512
    lambda_timeout_seconds          = 20
    max_message_length              = 500
    send_concurrency                = 10
    extra_allowed_origins           = ["http://localhost:8080", "https://chat.example.com"]
    shard_size                      = 300
    rate_limit_burst                = 20
    rate_limit_per_second           = 4
    fanout_batch_size               = 2
    fanout_maximum_concurrency      = 50
    history_max_messages            = 20
    history_ttl_seconds             = 0
    callback_rate_limit             = 1250
    delivery_window_seconds         = 120
    max_connections_per_person      = 3
    source_ip_rate_limit_burst      = 50
    source_ip_rate_limit_per_second = 8
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables.MAX_CONNECTIONS_PER_PERSON == "3"
    error_message = "max_connections_per_person must set MAX_CONNECTIONS_PER_PERSON."
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables.SOURCE_IP_RATE_LIMIT_BURST == "50" && aws_lambda_function.this.environment[0].variables.SOURCE_IP_RATE_LIMIT_PER_SECOND == "8"
    error_message = "source_ip_rate_limit_burst and source_ip_rate_limit_per_second must set SOURCE_IP_RATE_LIMIT_BURST and SOURCE_IP_RATE_LIMIT_PER_SECOND."
  }

  assert {
    condition     = one([for statement in jsondecode(aws_iam_role_policy.lambda.policy).Statement : statement.Resource if statement.Sid == "CheckAndCloseConnections"]) == ["arn:aws:execute-api:eu-central-1:123456789012:abc123/dev/GET/@connections/*", "arn:aws:execute-api:eu-central-1:123456789012:abc123/dev/DELETE/@connections/*"]
    error_message = "GetConnection and DeleteConnection must follow the stage name."
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables.CALLBACK_RATE_LIMIT == "1250" && aws_lambda_function.this.environment[0].variables.DELIVERY_WINDOW_SECONDS == "120"
    error_message = "callback_rate_limit and delivery_window_seconds must set CALLBACK_RATE_LIMIT and DELIVERY_WINDOW_SECONDS."
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables.DEAD_LETTER_QUEUE_URL == aws_sqs_queue.fanout_dlq.url && one([for statement in jsondecode(aws_iam_role_policy.lambda.policy).Statement : statement.Resource if statement.Sid == "DeadLetterRecipients"]) == [aws_sqs_queue.fanout_dlq.arn]
    error_message = "The function must write to its own stack's dead-letter queue, and be allowed to write only there."
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables.HISTORY_MAX_MESSAGES == "20" && aws_lambda_function.this.environment[0].variables.HISTORY_TTL_SECONDS == "0"
    error_message = "History settings must come from history_max_messages and history_ttl_seconds (0, no history, included)."
  }

  assert {
    condition     = aws_apigatewayv2_stage.this.default_route_settings[0].throttling_burst_limit == 20 && aws_apigatewayv2_stage.this.default_route_settings[0].throttling_rate_limit == 5
    error_message = "Throttling must come from throttle_burst_limit and throttle_rate_limit."
  }

  assert {
    condition     = aws_cloudwatch_log_group.lambda.retention_in_days == 30
    error_message = "Log retention must come from log_retention_days."
  }

  assert {
    condition     = aws_lambda_function.this.memory_size == 512 && aws_lambda_function.this.timeout == 20
    error_message = "Memory and timeout must come from their variables."
  }

  assert {
    condition     = aws_apigatewayv2_stage.this.name == "dev" && aws_lambda_function.this.environment[0].variables.APIGW_ENDPOINT == "https://abc123.execute-api.eu-central-1.amazonaws.com/dev"
    error_message = "The stage name must come from stage_name and reach the management endpoint."
  }

  assert {
    condition     = one([for statement in jsondecode(aws_iam_role_policy.lambda.policy).Statement : statement.Resource if statement.Sid == "PostToConnections"]) == ["arn:aws:execute-api:eu-central-1:123456789012:abc123/dev/POST/@connections/*"] && aws_lambda_permission.this.source_arn == "arn:aws:execute-api:eu-central-1:123456789012:abc123/dev/*"
    error_message = "ManageConnections and the invoke permission must follow the stage name."
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables.MAX_MESSAGE_LENGTH == "500" && strcontains(aws_s3_object.config.content, "\"maxMessageLength\":500")
    error_message = "max_message_length must reach both the function and config.js."
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables.SEND_CONCURRENCY == "10"
    error_message = "send_concurrency must set SEND_CONCURRENCY."
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables.SHARD_SIZE == "300"
    error_message = "shard_size must set SHARD_SIZE."
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables.RATE_LIMIT_BURST == "20" && aws_lambda_function.this.environment[0].variables.RATE_LIMIT_PER_SECOND == "4"
    error_message = "rate_limit_burst and rate_limit_per_second must set RATE_LIMIT_BURST and RATE_LIMIT_PER_SECOND."
  }

  assert {
    condition     = aws_lambda_event_source_mapping.this.batch_size == 2 && aws_lambda_event_source_mapping.this.scaling_config[0].maximum_concurrency == 50
    error_message = "The mapping's batch size and maximum concurrency must come from their variables."
  }

  assert {
    condition     = aws_sqs_queue.fanout.visibility_timeout_seconds == 120
    error_message = "The visibility timeout must follow lambda_timeout_seconds (6 x 20 s)."
  }

  assert {
    condition     = aws_sqs_queue.fanout.name == "team-b-fanout" && aws_sqs_queue.fanout_dlq.name == "team-b-fanout-dlq"
    error_message = "Queue names must start with name_prefix."
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables.ALLOWED_ORIGINS == "http://awsome-chat-site-mock.s3-website.eu-central-1.amazonaws.com,http://localhost:8080,https://chat.example.com"
    error_message = "ALLOWED_ORIGINS must be the website's origin followed by the extra origins."
  }

  assert {
    condition     = aws_dynamodb_table.connections.name == "team-b-connections" && aws_lambda_function.this.function_name == "team-b-chat" && startswith(aws_s3_bucket.this.bucket_prefix, "team-b-site-") && startswith(aws_iam_role.lambda.name_prefix, "team-b-")
    error_message = "Resource names must start with name_prefix."
  }

  assert {
    condition     = aws_sns_topic.alarms.name == "team-b-alarms" && aws_cloudwatch_dashboard.this.dashboard_name == "team-b" && alltrue([for alarm in aws_cloudwatch_metric_alarm.this : startswith(alarm.alarm_name, "team-b-")])
    error_message = "The alarm topic, the alarms and the dashboard must be named after name_prefix."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["dead-lettered"].dimensions == tomap({ service = "team-b-chat" }) && aws_cloudwatch_metric_alarm.this["function-errors"].dimensions == tomap({ FunctionName = "team-b-chat" })
    error_message = "The alarms must watch this stack's function, by its name."
  }
}

run "access_log_format" {
  command = apply

  assert {
    condition = jsondecode(aws_apigatewayv2_stage.this.access_log_settings[0].format) == {
      requestId            = "$context.requestId"
      requestTime          = "$context.requestTime"
      connectionId         = "$context.connectionId"
      eventType            = "$context.eventType"
      routeKey             = "$context.routeKey"
      status               = "$context.status"
      error                = "$context.error.message"
      errorType            = "$context.error.responseType"
      integrationStatus    = "$context.integration.status"
      integrationError     = "$context.integration.error"
      integrationLatencyMs = "$context.integrationLatency"
      integrationRequestId = "$context.integration.requestId"
      sourceIp             = "$context.identity.sourceIp"
    }
    error_message = "Each access log line must be JSON with the request and connection ids, the event and route, the status, the error, the integration's status, error, latency and request id, and the source IP."
  }

  assert {
    condition     = length(aws_apigatewayv2_stage.this.access_log_settings[0].format) <= 3072
    error_message = "API Gateway refuses an access log format over 3 KB."
  }

  assert {
    condition     = !strcontains(aws_apigatewayv2_stage.this.access_log_settings[0].format, "body") && !strcontains(aws_apigatewayv2_stage.this.access_log_settings[0].format, "$input")
    error_message = "Access logs must never carry a message body."
  }

  assert {
    condition     = aws_cloudwatch_log_group.api_access[0].retention_in_days == 14 && output.access_log_group_name == "/aws/apigateway/awsome-chat-websocket/access"
    error_message = "The access log group needs the logs' retention, and its name is an output."
  }
}

run "access_logs_can_be_turned_off" {
  command = apply

  variables {
    enable_access_logs = false
  }

  assert {
    condition     = length(aws_apigatewayv2_stage.this.access_log_settings) == 0 && length(aws_cloudwatch_log_group.api_access) == 0 && output.access_log_group_name == null
    error_message = "enable_access_logs = false must leave the stage without access logs and create no log group."
  }
}

run "apigateway_account_when_managed" {
  command = apply

  variables {
    manage_apigateway_account = true
  }

  assert {
    condition     = aws_api_gateway_account.this[0].cloudwatch_role_arn == aws_iam_role.apigateway_cloudwatch[0].arn
    error_message = "manage_apigateway_account must give API Gateway its CloudWatch role."
  }

  assert {
    condition     = jsondecode(aws_iam_role.apigateway_cloudwatch[0].assume_role_policy).Statement[0].Principal == { Service = "apigateway.amazonaws.com" }
    error_message = "Only API Gateway may assume the logging role."
  }

  assert {
    condition = jsondecode(aws_iam_role_policy.apigateway_cloudwatch[0].policy).Statement == [{
      Sid    = "WriteAccessLogs"
      Effect = "Allow"
      Action = [
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:DescribeLogGroups",
        "logs:DescribeLogStreams",
        "logs:PutLogEvents",
        "logs:GetLogEvents",
        "logs:FilterLogEvents",
      ]
      Resource = [
        "arn:aws:logs:eu-central-1:123456789012:log-group:/aws/apigateway/awsome-chat-websocket/access",
        "arn:aws:logs:eu-central-1:123456789012:log-group:/aws/apigateway/awsome-chat-websocket/access:*",
      ]
    }]
    error_message = "The logging role may use the actions AWS lists for API Gateway logging on this stack's access log group and its streams, and nothing else."
  }

  assert {
    condition     = alltrue(flatten([for statement in jsondecode(aws_iam_role_policy.apigateway_cloudwatch[0].policy).Statement : [for resource in statement.Resource : resource != "*" && !strcontains(resource, "log-group:*")]]))
    error_message = "The logging role must not reach every log group (no managed policy on \"*\")."
  }

  assert {
    condition     = aws_api_gateway_account.this[0].reset_on_delete
    error_message = "destroy must clear the account's CloudWatch role setting, not leave it naming a deleted role."
  }
}
