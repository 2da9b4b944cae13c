package sqlitetest

import (
	"syscall"
	"time"
)

// CPUTime is the CPU time the process has used, user and system: a
// benchmark's CPU per operation, which a loaded machine's latencies hide.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
