package oci

import "testing"

func TestCRIUReason(t *testing.T) {
	for _, tc := range []struct{ out, want string }{
		{"Error (criu/vdso.c:381): vdso: Unexpected rt vDSO area bounds\nError (criu/vdso.c:613): vdso: Failed to fill self vdso symtable\n",
			"vdso: Unexpected rt vDSO area bounds"},
		{"Looks good.\n", "Looks good."},
		{"", ""},
	} {
		if got := criuReason(tc.out); got != tc.want {
			t.Errorf("criuReason(%q) = %q, want %q", tc.out, got, tc.want)
		}
	}
}
