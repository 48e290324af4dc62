# One item per open WebSocket connection. On-demand billing: an idle chat costs nothing.
resource "aws_dynamodb_table" "connections" {
  name         = "${var.name_prefix}-connections"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = local.contract.table.partitionKey

  attribute {
    name = local.contract.table.partitionKey
    type = "S"
  }

  # $disconnect is best-effort; TTL (epoch seconds) removes the connections it misses.
  ttl {
    attribute_name = local.contract.table.ttlAttribute
    enabled        = true
  }
}
