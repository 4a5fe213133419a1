//! Prints the EcsRoleSet CRD YAML. `just crd` writes it to crates/controller/deploy/crd.yaml;
//! a test fails when the committed file is stale.
fn main() {
    print!("{}", ecsroles_controller::crd::crd_yaml());
}
