package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/casetrack/casetrack/domain"
)

// forgetOptions are the flags of forget.
type forgetOptions struct {
	data, store string
	log         *logOptions
}

func forgetFlags(fs *flag.FlagSet) *forgetOptions {
	o := &forgetOptions{}
	dataFlag(fs, &o.data)
	storeFlag(fs, &o.store)
	o.log = logFlags(fs)
	return o
}

// forgetCmd: `forget SUBJECT` destroys a data subject's key: its personal
// fields read as erased (已删除) from then on, while the log, its hashes
// and every figure computed from it stay as they were.
func forgetCmd(ctx context.Context, out, stderr io.Writer, args []string) error {
	const use = "usage: casetrack forget complainant:COMPOUND:COMPLAINT | candidate:COMPOUND:CANDIDATE [--data DIR] [--store URL]"
	fs := newFlags("forget", "forget SUBJECT [flags]", "Destroys a data subject's key (complainant:COMPOUND:COMPLAINT or candidate:COMPOUND:CANDIDATE): its\n"+
		"name, phone, unit, birth date and ID number read as erased (已删除) from then on; the log and every figure stay as they were.")
	o := forgetFlags(fs)
	var subject string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		subject, args = args[0], args[1:]
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if subject == "" || fs.NArg() > 0 {
		return usageError{errors.New(use)}
	}
	if err := domain.ValidateSubject(subject); err != nil {
		return usageError{err}
	}
	_, pd, closeAll, err := openRecording(ctx, o.store, o.data, o.log.logger(stderr))
	if err != nil {
		return err
	}
	defer closeAll()
	done, err := pd.Forget(ctx, domain.Actor{UserID: "casetrack forget", Role: string(domain.RoleAdmin)}, subject)
	if err != nil {
		return err
	}
	if !done {
		return fmt.Errorf("no personal data of %s to forget (never recorded, or already erased)", subject)
	}
	fmt.Fprintf(out, "forgotten: %s (its fields now read as erased; the log is unchanged)\n", subject)
	return nil
}
