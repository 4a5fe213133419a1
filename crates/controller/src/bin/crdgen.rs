//! Prints the EcsRoleSet CRD YAML. `just crd` writes it into the Helm chart
//! (charts/ecsroles-controller/crds/), which owns it;
//! a test fails when the committed file is stale.
fn main() {
    print!("{}", ecsroles_controller::crd::crd_yaml());
}
