package main

import (
	"fmt"
	"log/slog"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// The collector runs at GOGC=200 (projections.TuneGC): a fold's garbage
// then costs less, but the heap may grow to three times the live read
// models, and the runtime keeps what it grew (1.7 GB resident after a
// restart at 1M events, seven times the models). Under a soft memory
// limit the collector runs more often as the heap nears it instead.

// cgroupFiles hold the memory limit of the process's control group
// (v2, then v1); tests replace them.
var cgroupFiles = []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}

// applyMemoryLimit sets the soft memory limit from --memory-limit; empty:
// $GOMEMLIMIT if set (the runtime read it), else nine tenths of the
// control group's limit, if it has one (a container's), else none. It
// returns the limit in force (math.MaxInt64: none).
func applyMemoryLimit(value string, logger *slog.Logger) (int64, error) {
	var limit int64
	var from string // for the log
	switch {
	case value != "":
		n, err := parseSize(value)
		if err != nil {
			return 0, fmt.Errorf("--memory-limit %q: %w", value, err)
		}
		limit, from = n, "--memory-limit"
		debug.SetMemoryLimit(limit)
	case os.Getenv("GOMEMLIMIT") != "":
		limit, from = debug.SetMemoryLimit(-1), "GOMEMLIMIT"
	default:
		limit = math.MaxInt64
		if n, ok := cgroupLimit(); ok {
			limit, from = n/10*9, "nine tenths of the cgroup's"
			debug.SetMemoryLimit(limit)
		}
	}
	if limit != math.MaxInt64 {
		logger.Info("memory limit", "MiB", limit>>20, "from", from)
	}
	return limit, nil
}

// parseSize reads a size as GOMEMLIMIT does: a number of bytes, with B,
// KiB, MiB, GiB or TiB after it, or "off" (0 too): no limit.
func parseSize(s string) (int64, error) {
	if s == "off" || s == "0" {
		return math.MaxInt64, nil
	}
	digits := strings.TrimRight(s, "BKMGTi")
	shift := map[string]uint{"": 0, "B": 0, "KiB": 10, "MiB": 20, "GiB": 30, "TiB": 40}
	sh, ok := shift[s[len(digits):]]
	n, err := strconv.ParseInt(digits, 10, 64)
	if !ok || err != nil || n <= 0 || n > math.MaxInt64>>sh {
		return 0, fmt.Errorf("want a number of bytes with B, KiB, MiB, GiB or TiB after it (e.g. 1GiB), or off")
	}
	return n << sh, nil
}

// cgroupLimit is the memory limit of the process's control group, if one
// is set.
func cgroupLimit() (int64, bool) {
	for _, f := range cgroupFiles {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
		// v2 says "max" when unlimited; v1 a huge number near MaxInt64.
		return n, err == nil && n > 0 && n < 1<<60
	}
	return 0, false
}
