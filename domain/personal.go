// Personal data that can be erased (crypto-shredding):
//   - a data subject is a complainant (name, phone) or a candidate (unit,
//     birth date, ID number) of one compound; its ID
//     is "complainant:COMPOUND:COMPLAINT" or "candidate:COMPOUND:CANDIDATE";
//   - a decision puts the subject's fields in clear into a Personal value of
//     its event; the command service seals them (encrypts them with the
//     subject's own key) before the event is hashed and appended, so the
//     stored event, its hash and everything folded from it hold only
//     ciphertext;
//   - destroying the key (forget) leaves every stored byte as it was: the
//     fields then read as erased, while history, hashes and every figure
//     computed from the log stay the same.
//
// The domain does no cryptography (it is pure); app/personal.go does.

package domain

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Personal is one data subject's fields inside an event.
type Personal struct {
	Subject string `json:"subject"`
	// Sealed is the fields as stored: nonce and AES-GCM ciphertext, base64.
	Sealed string `json:"sealed,omitempty"`
	// Fields is the clear text: set by a decision before sealing, and by an
	// opener for a reader allowed to see it. Never stored.
	Fields map[string]string `json:"fields,omitempty"`
	// Erased: the subject's key was destroyed; the fields are gone for good.
	Erased bool `json:"erased,omitempty"`
}

// The personal fields, by the name they carry in Personal.Fields.
const (
	FieldName      = "name"       // 姓名
	FieldPhone     = "phone"      // 联系电话
	FieldIDNumber  = "id_number"  // 身份证号
	FieldUnit      = "unit"       // 房号 (a candidate's)
	FieldBirthDate = "birth_date" // 出生日期
)

// PersonalEvent is an event that carries a data subject's fields. Sealing
// and opening rewrite them through MapPersonal, never anything else.
type PersonalEvent interface {
	Event
	MapPersonal(f func(Personal) (Personal, error)) (Event, error)
}

// mapPersonal rewrites *p through f, unless the event names no subject
// (an anonymous complaint).
func mapPersonal(p *Personal, f func(Personal) (Personal, error)) error {
	if p.Subject == "" {
		return nil
	}
	var err error
	*p, err = f(*p)
	return err
}

// Subject kinds.
const (
	SubjectComplainant = "complainant"
	SubjectCandidate   = "candidate"
)

// ComplainantSubject names the person who made a complaint.
func ComplainantSubject(compoundID, complaintID string) string {
	return SubjectComplainant + ":" + compoundID + ":" + complaintID
}

// CandidateSubject names a committee candidate.
func CandidateSubject(compoundID, candidateID string) string {
	return SubjectCandidate + ":" + compoundID + ":" + candidateID
}

// SubjectCompound returns the compound a subject belongs to. Compound IDs
// hold no colon, so the ID after the second colon may.
func SubjectCompound(subject string) (string, bool) {
	kind, rest, ok := strings.Cut(subject, ":")
	if !ok || kind != SubjectComplainant && kind != SubjectCandidate {
		return "", false
	}
	compound, id, ok := strings.Cut(rest, ":")
	return compound, ok && compoundIDPattern.MatchString(compound) && id != ""
}

// ValidateSubject checks a subject ID named by a user (forget).
func ValidateSubject(subject string) error {
	var v violations
	checkText(&v, named("subject"), TextKey, subject)
	if !v.ok() {
		return v.err()
	}
	if _, ok := SubjectCompound(subject); !ok {
		v.invalid("subject", "subject.format", "a data subject is complainant:COMPOUND:COMPLAINT or candidate:COMPOUND:CANDIDATE",
			"数据主体须为 complainant:小区编号:工单号 或 candidate:小区编号:候选人编号")
	}
	return v.err()
}

// personal returns the Personal value for a subject's non-empty fields;
// none when every field is empty.
func personal(subject string, fields map[string]string) Personal {
	p := Personal{Subject: subject}
	for k, x := range fields {
		if strings.TrimSpace(x) != "" {
			if p.Fields == nil {
				p.Fields = map[string]string{}
			}
			p.Fields[k] = x
		}
	}
	if p.Fields == nil {
		return Personal{}
	}
	return p
}

// phonePattern: a mainland mobile number (11 digits from 13–19) or a
// landline with its area code (0 and 2–3 digits, a dash optional, 7–8
// digits).
var phonePattern = regexp.MustCompile(`^(1[3-9][0-9]{9}|0[1-9][0-9]{1,2}-?[1-9][0-9]{6,7})$`)

// checkPhone refuses what no phone can be; the value is never echoed: it
// is personal data, and errors are logged.
func checkPhone(v *violations, field, phone string) {
	if phone != "" && !phonePattern.MatchString(phone) {
		v.invalid(field, "personal.phone", "must be a mobile number (11 digits) or a landline with its area code, e.g. 010-12345678",
			"须为11位手机号码或带区号的固定电话，如 010-12345678")
	}
}

// idWeights are the weights of the resident ID number's check digit
// (GB 11643-1999, ISO 7064 MOD 11-2).
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// checkIDNumber checks an 18-character resident ID number: 17 digits, its
// check character, and a birth date agreeing with birth (when given).
func checkIDNumber(v *violations, field, id string, birth Date) {
	if id == "" {
		return
	}
	if len(id) != 18 || strings.Trim(id[:17], "0123456789") != "" {
		v.invalid(field, "personal.id_number", "must be an 18-character resident ID number", "须为18位居民身份证号码")
		return
	}
	sum := 0
	for i, w := range idWeights {
		sum += int(id[i]-'0') * w
	}
	if want := "10X98765432"[sum%11]; strings.ToUpper(id[17:]) != string(want) {
		v.invalid(field, "personal.id_checksum", "the check character does not match: a digit is mistyped", "校验位不符，号码有误")
		return
	}
	if !birth.IsZero() && id[6:14] != birth.Format("20060102") {
		v.invalid(field, "personal.id_birth_date", "the birth date in the ID number differs from birth_date", "身份证号中的出生日期与出生日期不一致")
	}
}

// stripPersonal returns cmd with its personal fields emptied.
func stripPersonal(cmd Command) Command {
	if p, ok := cmd.(interface{ withoutPersonal() Command }); ok {
		return p.withoutPersonal()
	}
	return cmd
}

func (cmd ReceiveComplaint) withoutPersonal() Command {
	cmd.ComplainantName, cmd.ComplainantPhone = "", ""
	return cmd
}

func (cmd NominateCandidate) withoutPersonal() Command {
	cmd.IDNumber, cmd.Unit, cmd.BirthDate = "", "", Date{}
	return cmd
}

// A decision that reads sealed personal data (the age check reads a
// candidate's birth date) names it; the command service opens it with the
// subject's key, recording the read, and hands it back with the command.
// The rule reads it in memory for this decision only: the compound's
// state holds only what is stored, sealed.
type needsPersonal interface {
	personalNeeded(c *Compound) []Personal
	withOpened(opened []Personal) Command
}

// PersonalNeeded lists the sealed values the decision of cmd on c reads.
func (c *Compound) PersonalNeeded(cmd Command) []Personal {
	if n, ok := cmd.(needsPersonal); ok {
		return n.personalNeeded(c)
	}
	return nil
}

// WithOpened returns cmd carrying opened: the values PersonalNeeded named,
// opened (their fields, or erased), in the same order.
func WithOpened(cmd Command, opened []Personal) Command {
	if n, ok := cmd.(needsPersonal); ok {
		return n.withOpened(opened)
	}
	return cmd
}

// KeyState is what a key store knows of a subject's key.
type KeyState int

const (
	KeyNone      KeyState = iota // the subject never had a key
	KeyLive                      // the key opens the subject's fields
	KeyDestroyed                 // forgotten: the key is gone for good
)

// AccessRecord is one read of a subject's personal data: who, which
// subject, when, through what.
type AccessRecord struct {
	Subject string    `json:"subject"`
	User    string    `json:"user"`
	Role    string    `json:"role"`
	Purpose string    `json:"purpose"` // the request that read it, e.g. "GET /api/v1/compounds/c1"
	At      time.Time `json:"at"`
}

// KeyStore keeps one AES-256 key per data subject and the record of who
// read whose data. Every store but EventStoreDB has one (adapters); app/personal.go
// seals and opens with them.
type KeyStore interface {
	// CreateKey stores key as subject's key unless it has one, and returns
	// the key the subject has now (another process may have stored one
	// first). A forgotten subject gets no new key: CodeRejected.
	CreateKey(ctx context.Context, subject string, key []byte) ([]byte, error)
	// Key returns subject's key and its state.
	Key(ctx context.Context, subject string) ([]byte, KeyState, error)
	// DestroyKey destroys subject's key for good, keeping only the fact
	// and time of the erasure; false when the subject had no live key.
	DestroyKey(ctx context.Context, subject string, at time.Time) (bool, error)
	// LogAccess records reads of personal data.
	LogAccess(ctx context.Context, records []AccessRecord) error
	// Accesses lists the recorded reads of subject's data, oldest first.
	Accesses(ctx context.Context, subject string) ([]AccessRecord, error)
}

// ErrForgotten is CreateKey's answer for a subject whose key was destroyed.
func ErrForgotten(subject string) error {
	return Errorf(CodeRejected, "the personal data of %s was erased; none is recorded for it again", subject)
}

// String never shows the fields: a Personal value printed in a log line
// or an error says whose it is, not what it holds.
func (p Personal) String() string { return fmt.Sprintf("personal data of %s", p.Subject) }
