package domain

import "testing"

// NameOf names every registered command as the API does, and nothing else.
func TestNameOfEveryCommand(t *testing.T) {
	for _, name := range CommandNames() {
		cmd, err := ParseCommand(name, []byte(`{}`))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := NameOf(cmd); got != name {
			t.Errorf("NameOf(%T) = %q, want %q", cmd, got, name)
		}
	}
	type unregistered struct{ RegisterCompound }
	if got := NameOf(unregistered{}); got != "" {
		t.Errorf("an unregistered command is named %q", got)
	}
}
