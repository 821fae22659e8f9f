# The peer comparison's workload for terraform-provider-herokux v1.4.7 (bench/README.md, "Peer comparison"); the
# same as bench/programs/peer-workload.ts: on one existing Private database, mTLS (enabling it makes one client
# certificate, `initial_certificate_id`), 5 IP rules and 3 credentials with no permissions. bench/workloads/peer.ts
# runs it with a dev_overrides CLI config pointing at the locally built provider, and the emulator's URLs in
# HEROKU_API_URL and HEROKUX_POSTGRES_API_URL.
terraform {
  required_providers {
    herokux = {
      source = "davidji99/herokux"
    }
  }
}

variable "database" {
  description = "Name of the existing heroku-postgresql add-on (a Private plan)."
  type        = string
}

provider "herokux" {}

resource "herokux_postgres_mtls" "db" {
  database_name = var.database
}

locals {
  cidrs       = ["127.0.0.1/32", "10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24", "10.0.4.0/24"]
  credentials = ["bench_01", "bench_02", "bench_03"]
}

# Rules only work once mTLS is Operational, so they name the database through the mTLS resource.
resource "herokux_postgres_mtls_iprule" "rule" {
  for_each      = toset(local.cidrs)
  database_name = herokux_postgres_mtls.db.database_name
  cidr          = each.value
  description   = "benchmark"
}

# A herokux credential has no permission level: a new role has none.
resource "herokux_postgres_credential" "cred" {
  for_each    = toset(local.credentials)
  postgres_id = var.database
  name        = each.value
}
