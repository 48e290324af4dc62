# The function's role. Policies are jsonencode() documents: plain strings that `terraform test`
# can decode and check (aws_iam_policy_document yields placeholders under mock providers).

locals {
  # Lets Lambda run a function with the role: the chat's here, the authorizer's (authorizer.tf).
  lambda_assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "LambdaAssumesRole"
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role" "lambda" {
  # A generated suffix: IAM is global, so the same prefix may be deployed in several regions.
  name_prefix = "${var.name_prefix}-fn-"
  description = "Runs the ${local.function_name} Lambda function"

  assume_role_policy = local.lambda_assume_role_policy
}

# Least privilege: only what the function calls, only on this stack's resources.
resource "aws_iam_role_policy" "lambda" {
  name = "least-privilege"
  role = aws_iam_role.lambda.id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        # No logs:CreateLogGroup: Terraform owns the log group.
        Sid      = "WriteOwnLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = ["${aws_cloudwatch_log_group.lambda.arn}:*"]
      },
      {
        # UpdateItem: the per-connection rate limiter's conditional update; GetItem reads its
        # bucket back when both conditional writes failed without returning it. BatchGetItem: the
        # protocol versions of a small room's members, for presence, and which of a full person's
        # connections are gone. No Scan: a room's members come from its index.
        Sid      = "TrackConnections"
        Effect   = "Allow"
        Action   = ["dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem", "dynamodb:GetItem", "dynamodb:BatchGetItem"]
        Resource = [aws_dynamodb_table.connections.arn]
      },
      {
        Sid      = "ListRoomMembers"
        Effect   = "Allow"
        Action   = ["dynamodb:Query"]
        Resource = ["${aws_dynamodb_table.connections.arn}/index/${local.contract.table.roomIndex}"]
      },
      {
        # Head counts, serials and the history ring: updates and puts (alone, or together in the
        # TransactWriteItems that commits a message and its idempotency record: no action of its
        # own, each item needs its own), one Query for a joiner; DeleteItem releases a message's
        # claim after a failed commit, GetItem reads a refused claim from a DynamoDB that does not
        # return it.
        Sid      = "KeepRooms"
        Effect   = "Allow"
        Action   = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:Query"]
        Resource = [aws_dynamodb_table.rooms.arn]
      },
      {
        # PostToConnection. Composed from the API, not the stage's execution_arn, which would
        # close the cycle stage -> deployment -> integration -> function -> this policy -> stage.
        Sid      = "PostToConnections"
        Effect   = "Allow"
        Action   = ["execute-api:ManageConnections"]
        Resource = ["${aws_apigatewayv2_api.this.execution_arn}/${local.stage_name}/POST/@connections/*"]
      },
      {
        # GetConnection: is a full person's connection still open (its $disconnect may be lost)?
        # DeleteConnection: close a connection that keeps flooding. Same action, by method.
        Sid    = "CheckAndCloseConnections"
        Effect = "Allow"
        Action = ["execute-api:ManageConnections"]
        Resource = [
          "${aws_apigatewayv2_api.this.execution_arn}/${local.stage_name}/GET/@connections/*",
          "${aws_apigatewayv2_api.this.execution_arn}/${local.stage_name}/DELETE/@connections/*",
        ]
      },
      {
        # The function hands broadcast shards to the fan-out queue...
        Sid      = "EnqueueShards"
        Effect   = "Allow"
        Action   = ["sqs:SendMessage"]
        Resource = [aws_sqs_queue.fanout.arn]
      },
      {
        # ...and the event source mapping polls it with the function's role.
        Sid      = "ReceiveShards"
        Effect   = "Allow"
        Action   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
        Resource = [aws_sqs_queue.fanout.arn]
      },
      {
        # Recipients still undelivered when their message's delivery window ends: the function
        # writes them to the dead-letter queue itself, with the reason. Writing only.
        Sid      = "DeadLetterRecipients"
        Effect   = "Allow"
        Action   = ["sqs:SendMessage"]
        Resource = [aws_sqs_queue.fanout_dlq.arn]
      },
    ]
  })
}
