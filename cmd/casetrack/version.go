package main

import (
	"fmt"
	"io"
	"runtime/debug"
)

// version is what `casetrack version` prints, read from the build.
type version struct {
	module, commit, time string
	modified             bool
	goVersion            string
}

func buildVersion() version {
	v := version{module: "(unknown)", commit: "(unknown)"}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	v.module, v.goVersion = info.Main.Version, info.GoVersion
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			v.commit = s.Value
		case "vcs.time":
			v.time = s.Value
		case "vcs.modified":
			v.modified = s.Value == "true"
		}
	}
	return v
}

// String is the module version and commit, as the traces' service.version.
func (v version) String() string {
	s := v.module + " " + v.commit
	if v.modified {
		s += "+modified"
	}
	return s
}

// versionCmd: `casetrack version`.
func versionCmd(out io.Writer, args []string) error {
	fs := newFlags("version", "version", "Prints the module version, the VCS commit the binary was built from (and whether the\n"+
		"work tree had changes), the commit's time and the Go version.")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("version takes no arguments")}
	}
	v := buildVersion()
	fmt.Fprintf(out, "casetrack %s\ncommit %s", v.module, v.commit)
	if v.modified {
		fmt.Fprint(out, " (modified)")
	}
	if v.time != "" {
		fmt.Fprintf(out, " of %s", v.time)
	}
	fmt.Fprintf(out, "\n%s\n", v.goVersion)
	return nil
}
