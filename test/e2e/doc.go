// Package e2e holds black-box tests that run the built berth binary as root
// against real containers (conmon, runc, netavark, overlay). Each test gets
// its own --root and --runroot from NewEnv, so tests run in parallel and never
// touch a user's containers; TestMain fails the suite if any test left
// mounts, processes or directories behind.
//
// The binary is $BERTH_BINARY, else bin/berth of the checkout, else one built
// into a temporary directory.
package e2e
