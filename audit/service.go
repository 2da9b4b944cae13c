package audit

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/casetrack/casetrack/domain"
)

// Service is the server's side of the audit: it keeps the tree, signs a
// checkpoint while events arrive (Run) or when asked (Seal), answers proofs,
// and guards the log: when the log no longer matches the last checkpoint it
// halts (Halted), and the server refuses commands and is not ready.
type Service struct {
	log      Log
	store    CheckpointStore
	signer   *Signer
	verifier *Verifier
	logger   *slog.Logger
	onHalt   func(error)

	tree   Tree
	ready  atomic.Bool // the tree was built from the log and checked
	halted atomic.Pointer[error]

	mu     sync.Mutex // one signature at a time; guards signed and latest
	signed map[uint64][]byte
	latest uint64 // the largest signed size; 0 with none
}

// NewService serves the audit of log, whose checkpoints store keeps,
// signing with skey (a private key as GenerateKey writes it). onHalt is
// told when the log was found rewritten.
func NewService(log Log, store CheckpointStore, skey string, logger *slog.Logger, onHalt func(error)) (*Service, error) {
	signer, err := NewSigner(skey)
	if err != nil {
		return nil, err
	}
	vkey, err := PublicKey(skey)
	if err != nil {
		return nil, err
	}
	verifier, err := NewVerifier(vkey)
	if err != nil {
		return nil, err
	}
	return &Service{log: log, store: store, signer: signer, verifier: verifier, logger: logger, onHalt: onHalt,
		signed: map[uint64][]byte{}}, nil
}

// PublicKey is the public key of a private key written by GenerateKey.
func PublicKey(skey string) (string, error) {
	// PRIVATE+KEY+<name>+<hash>+<base64 of algorithm byte and seed>
	parts := strings.SplitN(strings.TrimSpace(skey), "+", 5) // base64 may hold "+"
	if len(parts) != 5 || parts[0] != "PRIVATE" || parts[1] != "KEY" {
		return "", domain.Errorf(domain.CodeInvalid, "signing key: not a private key written by casetrack keys generate")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return "", domain.Errorf(domain.CodeInvalid, "signing key: not an Ed25519 key")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	return note.NewEd25519VerifierKey(parts[2], pub)
}

// CheckpointEvery is serve's default time between checkpoints while events
// arrive: an event is under a signed checkpoint about a second after its
// append (the target is two).
const CheckpointEvery = time.Second

// Run builds the tree from the log, checks it against the stored
// checkpoints, then signs a checkpoint soon after events arrive (at most
// one per `every`) and re-verifies the whole log every verifyEvery (0:
// never). It returns when ctx ends; nothing it does outlives ctx.
func (s *Service) Run(ctx context.Context, every, verifyEvery time.Duration) {
	for err := s.start(ctx); err != nil; err = s.start(ctx) {
		switch {
		case ctx.Err() != nil:
			return
		case domain.ErrorCode(err) == domain.CodeIntegrity:
			s.Halt(err)
			return
		}
		s.logger.Error("audit: cannot read the log or its checkpoints; retrying", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
	var verify <-chan time.Time
	if verifyEvery > 0 {
		t := time.NewTicker(verifyEvery)
		defer t.Stop()
		verify = t.C
	}
	fallback := time.NewTicker(every) // for logs that cannot say when they change
	defer fallback.Stop()
	for {
		changed := (<-chan time.Time)(fallback.C)
		var appended <-chan struct{}
		if n, ok := s.log.(interface{ Changed() <-chan struct{} }); ok {
			appended, changed = n.Changed(), nil
		}
		signedAt := time.Now()
		if err := s.sealLatest(ctx); err != nil && ctx.Err() == nil && s.Halted() == nil {
			s.logger.Warn("audit: checkpoint not written", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-verify:
			if err := s.Guard(ctx); err != nil && ctx.Err() == nil {
				s.logger.Warn("audit: log not verified", "err", err)
			}
		case <-appended:
		case <-changed:
		}
		select { // at most one checkpoint per `every`
		case <-ctx.Done():
			return
		case <-time.After(time.Until(signedAt.Add(every))):
		}
	}
}

// sealLatest signs the whole log unless it is empty or the service halted.
func (s *Service) sealLatest(ctx context.Context) error {
	if s.Halted() != nil {
		return nil
	}
	if err := s.tree.Follow(ctx, s.log); err != nil {
		if domain.ErrorCode(err) == domain.CodeIntegrity {
			s.Halt(err)
		}
		return err
	}
	if s.tree.Size() == 0 {
		return nil
	}
	_, _, err := s.Seal(ctx, 0)
	return err
}

// start builds the tree and compares it with the stored checkpoints'.
func (s *Service) start(ctx context.Context) error {
	stored, err := s.store.Checkpoints(ctx)
	if err != nil {
		return err
	}
	if err := s.tree.Follow(ctx, s.log); err != nil {
		return err
	}
	for _, signed := range stored {
		c, err := s.verifier.Open(signed)
		if err != nil {
			// Another instance of a shared store signing with its own key:
			// not evidence against this log, nor for it (verify reports it).
			s.logger.Warn("audit: a stored checkpoint is not signed by this server's key; instances sharing a store should share one key", "err", err)
			continue
		}
		root, err := s.tree.Root(c.Size)
		if err != nil {
			return domain.Errorf(domain.CodeIntegrity, "the log has %d events but checkpoint %s has %d: events were removed", s.tree.Size(), c, c.Size)
		}
		if root != c.Root {
			return domain.Errorf(domain.CodeIntegrity, "the log's first %d events do not match checkpoint %s", c.Size, c)
		}
		s.mu.Lock()
		s.signed[c.Size], s.latest = signed, max(s.latest, c.Size)
		s.mu.Unlock()
	}
	s.ready.Store(true)
	s.logger.Info("audit: log matches its checkpoints", "events", s.tree.Size(), "checkpoints", len(stored))
	return nil
}

// Guard re-reads the whole log and checks it against the last checkpoint;
// a mismatch halts the server.
func (s *Service) Guard(ctx context.Context) error {
	s.mu.Lock()
	last, signed := s.latest, s.signed[s.latest]
	s.mu.Unlock()
	if last == 0 {
		return nil
	}
	rep, err := Verify(ctx, s.log, s.verifier, []Source{{Name: "last signed", Signed: signed}})
	if err != nil {
		return err
	}
	if !rep.OK() {
		s.Halt(domain.Errorf(domain.CodeIntegrity, "%s: %s", rep.Problems[0].Where, rep.Problems[0].What))
	}
	return nil
}

// Halt puts the server in read-only mode, loudly: the guard calls it when
// the log no longer matches its checkpoints.
func (s *Service) Halt(err error) {
	if !s.halted.CompareAndSwap(nil, &err) {
		return
	}
	s.logger.Error("AUDIT: THE EVENT LOG WAS REWRITTEN; the server is read-only until an operator investigates (casetrack verify)", "err", err)
	if s.onHalt != nil {
		s.onHalt(err)
	}
}

// Halted is why the server is read-only, or nil.
func (s *Service) Halted() error {
	if p := s.halted.Load(); p != nil {
		return *p
	}
	return nil
}

// errNotReady answers while the tree is still being built.
var errNotReady = domain.Errorf(domain.CodeUnavailable, "the log is still being checked against its last signed checkpoint; retry shortly")

// Ready is nil once the log was checked against its stored checkpoints at
// start; until then, or once it failed a check, it says why not.
func (s *Service) Ready() error { return s.usable() }

// Seal returns a signed checkpoint of the tree at size (0: the whole log
// now), signing and storing one unless it exists. League tables and
// exports name the checkpoint of the position they were computed at.
func (s *Service) Seal(ctx context.Context, size uint64) (Checkpoint, []byte, error) {
	if err := s.usable(); err != nil {
		return Checkpoint{}, nil, err
	}
	if err := s.tree.Follow(ctx, s.log); err != nil {
		if domain.ErrorCode(err) == domain.CodeIntegrity {
			s.Halt(err)
		}
		return Checkpoint{}, nil, err
	}
	if size == 0 {
		if size = s.tree.Size(); size == 0 {
			return Checkpoint{}, nil, domain.Errorf(domain.CodeNotFound, "the log is empty: no checkpoint yet")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if signed, ok := s.signed[size]; ok {
		c, err := s.verifier.Open(signed)
		return c, signed, err
	}
	root, err := s.tree.Root(size)
	if err != nil {
		return Checkpoint{}, nil, domain.Errorf(domain.CodeNotFound, "%v", err)
	}
	c, signed, err := s.signer.Sign(Checkpoint{Size: size, Root: root})
	if err != nil {
		return Checkpoint{}, nil, err
	}
	if err := s.store.SaveCheckpoint(ctx, size, signed); err != nil {
		return Checkpoint{}, nil, err
	}
	s.signed[size], s.latest = signed, max(s.latest, size)
	return c, signed, nil
}

// Head is the tree of the log's first size events (0: the whole log now),
// unsigned: what a read names as the state it was computed at.
func (s *Service) Head(ctx context.Context, size uint64) (Checkpoint, error) {
	if err := s.usable(); err != nil {
		return Checkpoint{}, err
	}
	// A read names the tree at its own position, which the tree has
	// mostly reached already: the log is read only when it has not.
	if size == 0 || size > s.tree.Size() {
		if err := s.tree.Follow(ctx, s.log); err != nil {
			return Checkpoint{}, err
		}
	}
	if size == 0 {
		size = s.tree.Size()
	}
	root, err := s.tree.Root(size)
	return Checkpoint{Origin: s.signer.s.Name(), Size: size, Root: root}, err
}

func (s *Service) usable() error {
	if err := s.Halted(); err != nil {
		return err
	}
	if !s.ready.Load() {
		return errNotReady
	}
	return nil
}

// Latest is the largest signed checkpoint.
func (s *Service) Latest() ([]byte, Checkpoint, error) {
	if err := s.usable(); err != nil {
		return nil, Checkpoint{}, err
	}
	s.mu.Lock()
	latest := s.latest
	s.mu.Unlock()
	if latest == 0 {
		return nil, Checkpoint{}, domain.Errorf(domain.CodeNotFound, "no checkpoint has been signed yet")
	}
	return s.stored(latest)
}

// stored is the signed checkpoint of size, which must have been signed.
func (s *Service) stored(size uint64) ([]byte, Checkpoint, error) {
	s.mu.Lock()
	signed, ok := s.signed[size]
	s.mu.Unlock()
	if !ok {
		return nil, Checkpoint{}, domain.Errorf(domain.CodeNotFound, "no signed checkpoint of tree size %d", size)
	}
	c, err := s.verifier.Open(signed)
	return signed, c, err
}

// InclusionProof proves the event at position is in the tree of the signed
// checkpoint of size treeSize (0: the latest).
func (s *Service) InclusionProof(ctx context.Context, position, treeSize uint64) (Proof, error) {
	if err := s.usable(); err != nil {
		return Proof{}, err
	}
	if treeSize == 0 {
		s.mu.Lock()
		treeSize = s.latest
		s.mu.Unlock()
	}
	signed, c, err := s.stored(treeSize)
	if err != nil {
		return Proof{}, err
	}
	if position < 1 || position > c.Size {
		return Proof{}, domain.Errorf(domain.CodeNotFound, "position %d is not in the tree of %d events", position, c.Size)
	}
	page, err := s.log.ReadAll(ctx, position-1, 1)
	if err != nil {
		return Proof{}, err
	}
	if len(page) != 1 || page[0].Position != position {
		return Proof{}, domain.Errorf(domain.CodeNotFound, "no event at position %d", position)
	}
	return s.tree.InclusionProof(position, page[0].Hash, signed, c)
}

// ConsistencyProof proves that the tree of size old is a prefix of the
// signed tree of size n. The old checkpoint comes with it when it was
// signed here; a witness checks the proof against its own copy anyway, so
// it need not be.
func (s *Service) ConsistencyProof(old, n uint64) (Proof, error) {
	if err := s.usable(); err != nil {
		return Proof{}, err
	}
	if old < 1 || old > n {
		return Proof{}, domain.Errorf(domain.CodeInvalid, "old tree size %d must lie between 1 and the new size %d", old, n)
	}
	newSigned, nc, err := s.stored(n)
	if err != nil {
		return Proof{}, err
	}
	oldSigned, _, err := s.stored(old)
	if err != nil {
		oldSigned = nil
	}
	return s.tree.ConsistencyProof(oldSigned, old, newSigned, nc)
}
