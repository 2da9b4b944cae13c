package app

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/casetrack/casetrack/domain"
)

// Personal data is sealed with a key of its subject's own (domain/personal.go
// explains the scheme). The keys live in a KeyStore (the port), outside the event
// tables: destroying one erases the subject's fields from every copy of
// the log, its backups and its projections at once, without changing a
// byte that a hash covers.

// PersonalData seals, opens and forgets data subjects' fields.
type PersonalData struct {
	keys   domain.KeyStore
	logger *slog.Logger
	now    func() time.Time
}

// NewPersonalData seals with keys and logs every read to logger.
func NewPersonalData(keys domain.KeyStore, logger *slog.Logger) *PersonalData {
	return &PersonalData{keys: keys, logger: logger, now: time.Now}
}

// Keys is the key store (tests search it; the CLI lists accesses).
func (pd *PersonalData) Keys() domain.KeyStore { return pd.keys }

// sealEvent seals every Personal value of e. A nil PersonalData (a store
// without keys) refuses personal fields rather than storing them in clear.
func (pd *PersonalData) sealEvent(ctx context.Context, e domain.Event) (domain.Event, error) {
	pe, ok := e.(domain.PersonalEvent)
	if !ok {
		return e, nil
	}
	return pe.MapPersonal(func(p domain.Personal) (domain.Personal, error) {
		if pd == nil {
			return p, &domain.Error{Code: domain.CodeRejected, Message: "command rejected", Violations: []domain.Violation{{
				Rule:      "personal.not_kept",
				Message:   "this event store keeps no erasable keys, so it records no personal data (name, phone, unit, birth date, ID number): leave those fields empty",
				MessageZH: "此事件存储无法保存可销毁的密钥，不能记录个人信息（姓名、电话、房号、出生日期、身份证号），请留空"}}}
		}
		return pd.seal(ctx, p)
	})
}

func (pd *PersonalData) seal(ctx context.Context, p domain.Personal) (domain.Personal, error) {
	fresh := make([]byte, 32)
	rand.Read(fresh) // never fails (crypto/rand)
	key, err := pd.keys.CreateKey(ctx, p.Subject, fresh)
	if err != nil {
		return p, err
	}
	aead, err := gcm(key)
	if err != nil {
		return p, err
	}
	plain, err := json.Marshal(p.Fields) // map keys sorted: the same fields, the same plaintext
	if err != nil {
		return p, domain.Internal(err, "seal personal data")
	}
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	// The subject is the additional data: a ciphertext moved to another
	// subject's event does not open.
	sealed := aead.Seal(nonce, nonce, plain, []byte(p.Subject))
	return domain.Personal{Subject: p.Subject, Sealed: base64.StdEncoding.EncodeToString(sealed)}, nil
}

func gcm(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, domain.Internal(err, "personal data key")
	}
	return cipher.NewGCM(block)
}

// Reader is who reads personal data, and through what.
type Reader struct {
	User, Role, Purpose string
}

// Open returns the subjects' fields in clear, or marked erased, and
// records the reads of live data (a log line and an access record).
func (pd *PersonalData) Open(ctx context.Context, who Reader, ps []domain.Personal) ([]domain.Personal, error) {
	out := make([]domain.Personal, len(ps))
	var reads []domain.AccessRecord
	now := pd.now().UTC()
	for i, p := range ps {
		out[i] = p
		if p.Sealed == "" {
			continue
		}
		key, state, err := pd.keys.Key(ctx, p.Subject)
		if err != nil {
			return nil, err
		}
		if state != domain.KeyLive {
			out[i] = domain.Personal{Subject: p.Subject, Erased: true}
			continue
		}
		fields, err := open(key, p)
		if err != nil {
			return nil, err
		}
		out[i] = domain.Personal{Subject: p.Subject, Fields: fields}
		reads = append(reads, domain.AccessRecord{Subject: p.Subject, User: who.User, Role: who.Role, Purpose: who.Purpose, At: now})
	}
	for _, r := range reads {
		pd.logger.InfoContext(ctx, "personal data read", "subject", r.Subject, "user", r.User, "role", r.Role, "purpose", r.Purpose)
	}
	if len(reads) > 0 {
		if err := pd.keys.LogAccess(ctx, reads); err != nil {
			return nil, err // no read goes unrecorded
		}
	}
	return out, nil
}

func open(key []byte, p domain.Personal) (map[string]string, error) {
	aead, err := gcm(key)
	if err != nil {
		return nil, err
	}
	raw, err := base64.StdEncoding.DecodeString(p.Sealed)
	if err != nil || len(raw) < aead.NonceSize() {
		return nil, domain.Errorf(domain.CodeIntegrity, "the sealed personal data of %s is damaged", p.Subject)
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], []byte(p.Subject))
	if err != nil {
		return nil, domain.Errorf(domain.CodeIntegrity, "the sealed personal data of %s does not open with its key: altered or moved", p.Subject)
	}
	var fields map[string]string
	if err := json.Unmarshal(plain, &fields); err != nil {
		return nil, domain.Errorf(domain.CodeIntegrity, "the sealed personal data of %s is damaged", p.Subject)
	}
	return fields, nil
}

// openFor returns cmd with the sealed values its decision on c reads
// opened (the age check reads a candidate's birth date), for this decision
// only: the read is recorded as the actor's, like any other.
func (pd *PersonalData) openFor(ctx context.Context, c *domain.Compound, cmd domain.Command, by domain.Actor) (domain.Command, error) {
	need := c.PersonalNeeded(cmd)
	if len(need) == 0 || pd == nil {
		return cmd, nil
	}
	opened, err := pd.Open(ctx, Reader{User: by.UserID, Role: by.Role, Purpose: "decide " + domain.NameOf(cmd)}, need)
	if err != nil {
		return nil, err
	}
	return domain.WithOpened(cmd, opened), nil
}

// Forget destroys subject's key: its fields read as erased from now on,
// everywhere. False when there was nothing to forget.
func (pd *PersonalData) Forget(ctx context.Context, by domain.Actor, subject string) (bool, error) {
	if err := domain.ValidateSubject(subject); err != nil {
		return false, err
	}
	if pd == nil {
		return false, domain.Errorf(domain.CodeNotFound, "no personal data of %s: this event store keeps none (no erasable keys)", subject)
	}
	done, err := pd.keys.DestroyKey(ctx, subject, pd.now().UTC())
	if err == nil && done {
		pd.logger.InfoContext(ctx, "personal data erased", "subject", subject, "user", by.UserID, "role", by.Role)
	}
	return done, err
}

// OpenJSON opens every sealed Personal object ({"subject","sealed"}) in
// the JSON answer b for who. A stored event's data is left as stored: it
// is what its hash covers, and an auditor recomputes the hash from it.
func (pd *PersonalData) OpenJSON(ctx context.Context, who Reader, b []byte) ([]byte, error) {
	if pd == nil || !bytes.Contains(b, []byte(`"sealed"`)) {
		return b, nil
	}
	var ps []domain.Personal
	if _, err := walkPersonal(b, func(p domain.Personal) (json.RawMessage, error) {
		ps = append(ps, p)
		return nil, nil
	}); err != nil {
		return nil, err
	}
	opened, err := pd.Open(ctx, who, ps)
	if err != nil {
		return nil, err
	}
	i := 0
	return walkPersonal(b, func(domain.Personal) (json.RawMessage, error) {
		i++
		return json.Marshal(opened[i-1])
	})
}

// walkPersonal calls fn on every sealed Personal object of the JSON value
// raw, in document order, and puts what fn returns (when not nil) in its
// place. Other values keep their bytes; objects their keys, sorted.
func walkPersonal(raw json.RawMessage, fn func(domain.Personal) (json.RawMessage, error)) (json.RawMessage, error) {
	switch t := bytes.TrimLeft(raw, " \t\r\n"); {
	case len(t) > 0 && t[0] == '{':
		var m map[string]json.RawMessage
		if err := json.Unmarshal(t, &m); err != nil {
			return nil, err
		}
		var p domain.Personal
		if m["subject"] != nil && m["sealed"] != nil && json.Unmarshal(t, &p) == nil && p.Subject != "" && p.Sealed != "" {
			out, err := fn(p)
			if out == nil || err != nil {
				return raw, err
			}
			return out, nil
		}
		_, stored := m["prev_hash"]
		for _, k := range slices.Sorted(maps.Keys(m)) { // document order is lost; a fixed order keeps fn's calls in step
			if stored && k == "data" {
				continue
			}
			v, err := walkPersonal(m[k], fn)
			if err != nil {
				return nil, err
			}
			m[k] = v
		}
		return json.Marshal(m)
	case len(t) > 0 && t[0] == '[':
		var a []json.RawMessage
		if err := json.Unmarshal(t, &a); err != nil {
			return nil, err
		}
		for i := range a {
			v, err := walkPersonal(a[i], fn)
			if err != nil {
				return nil, err
			}
			a[i] = v
		}
		return json.Marshal(a)
	}
	return raw, nil
}
