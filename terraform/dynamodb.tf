# One item per open WebSocket connection. On-demand billing: an idle chat costs nothing.
resource "aws_dynamodb_table" "connections" {
  name         = "${var.name_prefix}-connections"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = local.contract.table.partitionKey

  attribute {
    name = local.contract.table.partitionKey
    type = "S"
  }

  attribute {
    name = local.contract.table.roomAttribute
    type = "S"
  }

  # A room's members, read with a Query (never a Scan of the table): a message to a room of 10
  # reads 10 small index entries however many connections the table holds.
  global_secondary_index {
    name               = local.contract.table.roomIndex
    hash_key           = local.contract.table.roomAttribute
    range_key          = local.contract.table.partitionKey
    projection_type    = "INCLUDE"
    non_key_attributes = [local.contract.table.ttlAttribute]
  }

  # $disconnect is best-effort; TTL (epoch seconds) removes the connections it misses.
  ttl {
    attribute_name = local.contract.table.ttlAttribute
    enabled        = true
  }
}

# One partition per room: slot -1 holds its message counter and head count, slots 0 to K-1 the
# last K messages as a ring (see backend/src/rooms/room-store.ts), so a room never keeps more than K.
resource "aws_dynamodb_table" "rooms" {
  name         = "${var.name_prefix}-rooms"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = local.contract.roomsTable.partitionKey
  range_key    = local.contract.roomsTable.sortKey

  attribute {
    name = local.contract.roomsTable.partitionKey
    type = "S"
  }

  attribute {
    name = local.contract.roomsTable.sortKey
    type = "N"
  }

  # Kept messages expire after history_ttl_seconds, a room's own item a while after its last use.
  ttl {
    attribute_name = local.contract.roomsTable.ttlAttribute
    enabled        = true
  }
}
