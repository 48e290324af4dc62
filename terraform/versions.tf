terraform {
  # 1.11: `terraform test` mock providers with override_during, used by tests/*.tftest.hcl.
  required_version = ">= 1.11.0, < 2.0.0"

  required_providers {
    # 5.100 is the version tested (offline mirror); older 5.x reject the nodejs22.x runtime.
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }
}
