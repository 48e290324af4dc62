# Fan-out of large broadcasts: the function splits the recipients into shards, sends each shard to
# this queue, and the same function (one bundle, dispatching on the event's kind) delivers them,
# invoked by the event source mapping. A shard that keeps failing ends in the dead-letter queue.
# The queues' settings come from contract/contract.json, which the local stack reads too.

locals {
  shard_queue = local.contract.shardQueue
}

resource "aws_sqs_queue" "fanout" {
  name = "${var.name_prefix}-fanout"

  # Lambda's guidance for SQS event sources: at least six times the function timeout, so a batch
  # still being processed (or retried after throttling) never becomes visible to a second poller.
  visibility_timeout_seconds = local.shard_queue.visibilityTimeoutFunctionTimeouts * var.lambda_timeout_seconds
  # A chat message delivered more than an hour late is not worth delivering.
  message_retention_seconds = local.shard_queue.messageRetentionSeconds
  sqs_managed_sse_enabled   = true

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.fanout_dlq.arn
    maxReceiveCount     = local.shard_queue.maxReceiveCount
  })
}

# Shards that failed five receives, kept 14 days (the longest SQS allows) to inspect and redrive.
resource "aws_sqs_queue" "fanout_dlq" {
  name                      = "${var.name_prefix}-fanout-dlq"
  message_retention_seconds = local.shard_queue.deadLetterRetentionSeconds
  sqs_managed_sse_enabled   = true
}

# Polls the queue with the function's role (hence sqs:ReceiveMessage and friends in iam.tf).
resource "aws_lambda_event_source_mapping" "this" {
  event_source_arn = aws_sqs_queue.fanout.arn
  function_name    = aws_lambda_function.this.arn
  batch_size       = var.fanout_batch_size
  # The function reports the shards it could not finish; only those are retried.
  function_response_types = ["ReportBatchItemFailures"]

  # Caps the shard workers of this queue, leaving account concurrency for the WebSocket routes.
  scaling_config {
    maximum_concurrency = var.fanout_maximum_concurrency
  }
}
