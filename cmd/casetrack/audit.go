package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/casetrack/casetrack/audit"
	"github.com/casetrack/casetrack/domain"
)

// cannotCheck is an audit command that could not do its check (a file or
// the store could not be read): exit 2, as distinct from a finding (exit 1).
type cannotCheck struct{ error }

func (e cannotCheck) Unwrap() error { return e.error }

// The key files in a data directory, made by `keys generate` or by serve
// on its first start.
const (
	privateKeyFile = "audit.key"
	publicKeyFile  = "audit.pub"
)

// keysOptions are the flags of keys generate.
type keysOptions struct{ name, out string }

func keysFlags(fs *flag.FlagSet) *keysOptions {
	o := &keysOptions{}
	fs.StringVar(&o.name, "name", "casetrack", "the log's `name`, the first line of every checkpoint (no spaces or +)")
	fs.StringVar(&o.out, "out", ".", "`directory` to write "+privateKeyFile+" (private, mode 0600) and "+publicKeyFile+" into")
	return o
}

// keysCmd: `keys generate [--name NAME] [--out DIR]`.
func keysCmd(stdout io.Writer, args []string) error {
	if len(args) == 0 || args[0] != "generate" {
		return usageError{errors.New("usage: casetrack keys generate [--name NAME] [--out DIR]")}
	}
	fs := newFlags("keys generate", "keys generate [flags]", "Makes the key pair that signs the log's checkpoints: the private key for serve, the public key for auditors.")
	o := keysFlags(fs)
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("keys generate takes no arguments, got %q", fs.Arg(0))}
	}
	priv, pub, err := writeKeys(o.out, o.name)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "private key: %s (keep it off the database server's backups; serve --signing-key)\npublic key:  %s (give it to auditors)\n", priv, pub)
	return nil
}

// writeKeys makes a key pair in dir; it never overwrites a key.
func writeKeys(dir, name string) (priv, pub string, err error) {
	skey, vkey, err := audit.GenerateKey(name)
	if name == "" || strings.ContainsAny(name, "+") || strings.ContainsFunc(name, unicode.IsSpace) || !utf8.ValidString(name) {
		err = errors.New("a key's name is text without spaces or +")
	}
	if err != nil {
		return "", "", usageError{fmt.Errorf("--name %q: %w", name, err)}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", "", err
	}
	priv, pub = filepath.Join(dir, privateKeyFile), filepath.Join(dir, publicKeyFile)
	f, err := os.OpenFile(priv, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", "", fmt.Errorf("write the private key: %w", err)
	}
	_, err = fmt.Fprintln(f, skey)
	if err = errors.Join(err, f.Close()); err != nil {
		return "", "", err
	}
	return priv, pub, os.WriteFile(pub, []byte(vkey+"\n"), 0o644)
}

// signingKey finds serve's private key: --signing-key (a file, or the key
// itself, so that CASETRACK_SIGNING_KEY may carry it), else the data
// directory's, made on first start so that `make run` works at once.
func signingKey(file, data string, logf func(msg string, args ...any)) (string, error) {
	if key := strings.TrimSpace(file); strings.HasPrefix(key, "PRIVATE+KEY+") {
		return key, nil
	}
	if file != "" {
		return audit.ReadKeyFile(file, true)
	}
	path := filepath.Join(data, privateKeyFile)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		if _, pub, err := writeKeys(data, "casetrack"); err != nil {
			return "", err
		} else {
			logf("audit: made a signing key pair in the data directory; give auditors the public key", "public", pub)
		}
	}
	return audit.ReadKeyFile(path, true)
}

// verifierFrom reads a public key file.
func verifierFrom(path string) (*audit.Verifier, error) {
	vkey, err := audit.ReadKeyFile(path, false)
	if err != nil {
		return nil, cannotCheck{fmt.Errorf("public key: %w", err)}
	}
	v, err := audit.NewVerifier(vkey)
	if err != nil {
		return nil, cannotCheck{fmt.Errorf("%s: %w", path, err)}
	}
	return v, nil
}

// repeated is a flag given any number of times.
type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, ",") }
func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }

// verifyOptions are the flags of verify.
type verifyOptions struct {
	data, store, key string
	files            repeated
}

func verifyFlags(fs *flag.FlagSet) *verifyOptions {
	o := &verifyOptions{}
	dataFlag(fs, &o.data)
	storeFlag(fs, &o.store)
	fs.StringVar(&o.key, "key", "", "the log's public key `file` (default: "+publicKeyFile+" in --data)")
	fs.Var(&o.files, "checkpoint", "a signed checkpoint `file` kept outside the store (repeatable)")
	return o
}

// verifyCmd: `verify [--data DIR] [--store URL] [--key FILE] [--checkpoint FILE]...`.
// Exit 0: everything holds; 1: the report names what does not; 2: the
// check could not be made.
func verifyCmd(ctx context.Context, stdout io.Writer, args []string) error {
	fs := newFlags("verify", "verify [flags]", "Checks the whole log: every stream's chain, dense positions, the tree against every signed checkpoint.\n"+
		"Exit 0 when everything holds, 1 with a report of what does not, 2 when the check could not be made.")
	o := verifyFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("verify takes no arguments, got %q", fs.Arg(0))}
	}
	if isESDB(o.store) {
		return usageError{errors.New("verify does not support EventStoreDB stores: they keep no audit checkpoints (see docs/audit.md)")}
	}
	if o.key == "" {
		o.key = filepath.Join(o.data, publicKeyFile)
	}
	v, err := verifierFrom(o.key)
	if err != nil {
		return err
	}
	var sources []audit.Source
	for _, f := range o.files {
		b, err := os.ReadFile(f)
		if err != nil {
			return cannotCheck{err}
		}
		sources = append(sources, audit.Source{Name: f, Signed: b})
	}
	if !external(o.store) && o.store == "" {
		if _, err := os.Stat(filepath.Join(o.data, "casetrack.db")); err != nil {
			return cannotCheck{fmt.Errorf("no event store in %s: %w", o.data, err)}
		}
	}
	store, err := openStore(ctx, o.store, o.data)
	if err != nil {
		return cannotCheck{err}
	}
	defer store.Close()
	kept, ok := store.(audit.CheckpointStore)
	if !ok {
		return cannotCheck{errors.New("this store keeps no audit checkpoints")}
	}
	stored, err := kept.Checkpoints(ctx)
	if err != nil {
		return cannotCheck{err}
	}
	for _, b := range stored {
		sources = append(sources, audit.Source{Name: "stored", Signed: b})
	}
	rep, err := audit.Verify(ctx, store, v, sources)
	if err != nil {
		return cannotCheck{err}
	}
	fmt.Fprintf(stdout, "events: %d in %d streams\ntree:   %s\nchecked against %d signed checkpoints (%d stored, %d kept elsewhere)\n",
		rep.Events, rep.Streams, rep.Tree, rep.Checkpoints, len(stored), len(o.files))
	if rep.OK() {
		fmt.Fprintln(stdout, "OK: every chain holds, positions are dense, the tree matches every checkpoint")
		return nil
	}
	fmt.Fprintf(stdout, "TAMPERED: %d problems\n", len(rep.Problems))
	for _, p := range rep.Problems {
		fmt.Fprintf(stdout, "  %s: %s\n", clean(p.Where), clean(p.What))
	}
	return brokenChain{fmt.Errorf("the log does not verify")}
}

// proofFlags are the flags of proof check: the public key.
func proofFlags(fs *flag.FlagSet) *string {
	return fs.String("key", "", "the log's public key `file` (required)")
}

// proofCmd: `proof check --key FILE [PROOF.json]` (standard input without
// a file). Offline: only the public key is needed.
func proofCmd(stdin io.Reader, stdout io.Writer, args []string) error {
	if len(args) == 0 || args[0] != "check" {
		return usageError{errors.New("usage: casetrack proof check --key FILE [PROOF.json]")}
	}
	fs := newFlags("proof check", "proof check --key FILE [PROOF.json]", "Checks an inclusion or consistency proof offline, with only the log's public key (standard input without a file).")
	key := proofFlags(fs)
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *key == "" || fs.NArg() > 1 {
		return usageError{errors.New("usage: casetrack proof check --key FILE [PROOF.json]")}
	}
	v, err := verifierFrom(*key)
	if err != nil {
		return err
	}
	in := stdin
	if fs.NArg() == 1 && fs.Arg(0) != "-" {
		f, err := os.Open(fs.Arg(0))
		if err != nil {
			return cannotCheck{err}
		}
		defer f.Close()
		in = f
	}
	raw, err := io.ReadAll(io.LimitReader(in, 1<<20))
	if err != nil {
		return cannotCheck{err}
	}
	what, err := audit.CheckProof(v, raw)
	if domain.ErrorCode(err) == domain.CodeInvalid { // not a proof at all: nothing was checked
		return cannotCheck{err}
	}
	if err != nil {
		fmt.Fprintln(stdout, "FAILED:", clean(err.Error()))
		return brokenChain{err}
	}
	fmt.Fprintln(stdout, "OK:", what)
	return nil
}
