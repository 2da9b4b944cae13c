package domain

// noun names a kind of entity in both languages, for messages.
type noun struct{ en, zh string }

var (
	nounCandidate = noun{"candidate", "候选人"}
	nounVote      = noun{"assembly vote", "表决"}
	nounComplaint = noun{"complaint", "工单"}
	nounLawsuit   = noun{"lawsuit", "诉讼"}
	nounMeasure   = noun{"measure", "整改措施"}
	nounListing   = noun{"listing", "挂牌督办"}
)

// lookup returns the entity m holds under id. A missing one is recorded as
// not found, keeping whatever else v found wrong with the command.
func lookup[T any](v *violations, m map[string]T, field, rule string, what noun, id string) (T, bool) {
	x, ok := m[id]
	if !ok {
		notFound(v, field, rule, what, id)
	}
	return x, ok
}

// notFound records that the entity a command names does not exist; the
// whole error is then not-found, whatever else is wrong.
func notFound(v *violations, field, rule string, what noun, id string) {
	// Both messages share the arguments; each picks its own by index.
	v.fail(field, rule, "%[1]s %[3]s is not recorded for this compound", "本小区无%[2]s %[3]s", what.en, what.zh, id)
	v.code = CodeNotFound
}
