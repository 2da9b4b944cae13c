package audit

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/casetrack/casetrack/domain"
)

// Checkpoint is a tree head: the log's size and its Merkle root. Signed, it
// is the text of a note (C2SP tlog-checkpoint layout):
//
//	<origin>
//	<size>
//	<root, base64>
//
// followed by the signature lines.
type Checkpoint struct {
	Origin string    `json:"origin"`
	Size   uint64    `json:"tree_size"`
	Root   tlog.Hash `json:"root"` // base64 in JSON, as in the note
}

func (c Checkpoint) text() string {
	return fmt.Sprintf("%s\n%d\n%s\n", c.Origin, c.Size, base64.StdEncoding.EncodeToString(c.Root[:]))
}

// String is the checkpoint in one line, for reports and logs.
func (c Checkpoint) String() string { return fmt.Sprintf("tree %d %s", c.Size, c.Root) }

// parseCheckpoint reads the text of a checkpoint note.
func parseCheckpoint(text string) (Checkpoint, error) {
	lines := strings.SplitN(text, "\n", 4)
	if len(lines) != 4 || lines[3] != "" {
		return Checkpoint{}, fmt.Errorf("a checkpoint has three lines: origin, size and root")
	}
	size, err := strconv.ParseUint(lines[1], 10, 64)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint size %q: %w", lines[1], err)
	}
	raw, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(raw) != tlog.HashSize {
		return Checkpoint{}, fmt.Errorf("checkpoint root %q is not a base64 SHA-256 hash", lines[2])
	}
	return Checkpoint{Origin: lines[0], Size: size, Root: tlog.Hash(raw)}, nil
}

// Signer signs checkpoints with the operator's private key.
type Signer struct{ s note.Signer }

// NewSigner reads a private key as written by GenerateKey.
func NewSigner(skey string) (*Signer, error) {
	s, err := note.NewSigner(strings.TrimSpace(skey))
	if err != nil {
		return nil, domain.Errorf(domain.CodeInvalid, "signing key: %v", err)
	}
	return &Signer{s}, nil
}

// Sign returns the signed note of c; its origin is the key's name.
func (s *Signer) Sign(c Checkpoint) (Checkpoint, []byte, error) {
	c.Origin = s.s.Name()
	signed, err := note.Sign(&note.Note{Text: c.text()}, s.s)
	return c, signed, err
}

// Verifier opens checkpoints signed with one public key.
type Verifier struct{ v note.Verifier }

// NewVerifier reads a public key as written by GenerateKey.
func NewVerifier(vkey string) (*Verifier, error) {
	v, err := note.NewVerifier(strings.TrimSpace(vkey))
	if err != nil {
		return nil, domain.Errorf(domain.CodeInvalid, "public key: %v", err)
	}
	return &Verifier{v}, nil
}

// Open checks a signed checkpoint and reads it. A note not signed by the
// key, altered, or not a checkpoint fails with CodeIntegrity.
func (v *Verifier) Open(signed []byte) (Checkpoint, error) {
	n, err := note.Open(signed, note.VerifierList(v.v))
	if err != nil {
		return Checkpoint{}, domain.Errorf(domain.CodeIntegrity, "checkpoint signature does not verify with key %s: %v", v.v.Name(), err)
	}
	c, err := parseCheckpoint(n.Text)
	if err != nil {
		return Checkpoint{}, domain.Errorf(domain.CodeIntegrity, "signed note is not a checkpoint: %v", err)
	}
	if c.Origin != v.v.Name() {
		return Checkpoint{}, domain.Errorf(domain.CodeIntegrity, "checkpoint of log %q, not %q", c.Origin, v.v.Name())
	}
	return c, nil
}

// GenerateKey makes a key pair named name (the log's origin line).
func GenerateKey(name string) (skey, vkey string, err error) {
	return note.GenerateKey(rand.Reader, name)
}

// ReadKeyFile reads a key file, refusing a private key others may read.
func ReadKeyFile(path string, private bool) (string, error) {
	if private {
		if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
			return "", domain.Errorf(domain.CodeInvalid, "signing key %s is readable by others (mode %v): chmod 600 it", path, fi.Mode().Perm())
		}
	}
	b, err := os.ReadFile(path)
	return string(bytes.TrimSpace(b)), err
}
