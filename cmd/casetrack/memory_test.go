package main

import (
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
)

// --memory-limit sets the runtime's soft limit; without it, $GOMEMLIMIT
// stands, else a cgroup's limit gives it, else there is none.
func TestMemoryLimit(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	defer func(files []string) { cgroupFiles = files }(cgroupFiles)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	dir := t.TempDir()
	v2, v1 := filepath.Join(dir, "memory.max"), filepath.Join(dir, "memory.limit_in_bytes")
	cgroupFiles = []string{v2, v1}
	t.Setenv("GOMEMLIMIT", "")
	os.Unsetenv("GOMEMLIMIT")

	for _, c := range []struct {
		flag, v2, v1 string
		want         int64
	}{
		{flag: "1GiB", want: 1 << 30},
		{flag: "800MiB", v2: "4096", want: 800 << 20},
		{flag: "123456", want: 123456},
		{flag: "off", v2: "4096", want: math.MaxInt64},
		{v2: "max", v1: "9223372036854771712", want: math.MaxInt64}, // unlimited, either way
		{v2: "1000", want: 900},
		{v1: "2000", want: 1800},
		{want: math.MaxInt64},
	} {
		debug.SetMemoryLimit(math.MaxInt64)
		os.Remove(v2)
		os.Remove(v1)
		for path, v := range map[string]string{v2: c.v2, v1: c.v1} {
			if v != "" {
				os.WriteFile(path, []byte(v+"\n"), 0o644)
			}
		}
		got, err := applyMemoryLimit(c.flag, logger)
		if err != nil || got != c.want || debug.SetMemoryLimit(-1) != c.want {
			t.Errorf("--memory-limit %q, cgroup %q/%q: %d (runtime %d), %v; want %d", c.flag, c.v2, c.v1, got, debug.SetMemoryLimit(-1), err, c.want)
		}
	}
	t.Setenv("GOMEMLIMIT", "300MiB")
	debug.SetMemoryLimit(300 << 20) // as the runtime does at start
	os.WriteFile(v2, []byte("1000"), 0o644)
	if got, _ := applyMemoryLimit("", logger); got != 300<<20 {
		t.Errorf("with GOMEMLIMIT: %d", got)
	}
	for _, bad := range []string{"1GB", "-5", "GiB", "1.5GiB", "99999999999TiB"} {
		if _, err := applyMemoryLimit(bad, logger); err == nil {
			t.Errorf("--memory-limit %q accepted", bad)
		}
	}
}
