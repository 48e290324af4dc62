# Resource names follow terraform-aws-modules: `this` for the one resource of its type the stack is
# built around, a descriptive noun where several share a type (`aws_s3_object.site`, `.config`,
# `.index`) or where a resource serves one of those (`aws_iam_role_policy.lambda` for role
# `lambda`). These blocks carry stacks deployed under the earlier names over to the current ones,
# so `terraform apply` moves them in the state instead of destroying and re-creating them (a new
# bucket would get a new name, and so would the website's URL).

moved {
  from = aws_s3_bucket.site
  to   = aws_s3_bucket.this
}

moved {
  from = aws_s3_bucket_ownership_controls.site
  to   = aws_s3_bucket_ownership_controls.this
}

moved {
  from = aws_s3_bucket_public_access_block.site
  to   = aws_s3_bucket_public_access_block.this
}

moved {
  from = aws_s3_bucket_policy.site
  to   = aws_s3_bucket_policy.this
}

moved {
  from = aws_apigatewayv2_integration.lambda
  to   = aws_apigatewayv2_integration.this
}

moved {
  from = aws_lambda_permission.api
  to   = aws_lambda_permission.this
}
