package domain

import (
	"slices"
	"strconv"
	"strings"
)

// vocabulary is a closed set of values a field may take, in the order
// messages list them. Every closed set is checked through oneOf, so users
// always learn the allowed values in the same words.
type vocabulary[T ~string] []T

func (vs vocabulary[T]) has(x T) bool { return slices.Contains(vs, x) }

// String lists the values; the empty value, where allowed, shows as "".
func (vs vocabulary[T]) String() string {
	names := make([]string, len(vs))
	for i, x := range vs {
		names[i] = string(x)
		if x == "" {
			names[i] = strconv.Quote("")
		}
	}
	return strings.Join(names, ", ")
}

// oneOf records x outside vocab as invalid input on field under rule,
// naming the allowed values; it reports whether x is allowed.
func oneOf[T ~string](v *violations, field, rule string, x T, vocab vocabulary[T]) bool {
	if vocab.has(x) {
		return true
	}
	v.invalid(field, rule, "%s must be one of %s, not %q", "%s 须为以下之一：%s（收到 %q）", field, vocab, string(x))
	return false
}

// Vocabularies are the closed sets of command fields by Go type name, for
// adapters that offer the allowed values (the web forms' choices). A type
// whose empty value is allowed lists "" too.
func Vocabularies() map[string][]string {
	out := map[string][]string{}
	add := func(name string, vs []string) { out[name] = vs }
	add("CompoundKind", strs(compoundKinds))
	add("Channel", strs(complaintChannels))
	add("ComplaintKind", strs(complaintKinds))
	add("ComplaintCategory", strs(complaintCategories))
	add("Satisfaction", strs(satisfactions))
	add("GroupRole", strs(groupRoles))
	add("LeaveReason", strs(leaveReasons))
	add("CompanyViolation", strs(companyViolations))
	add("LawsuitCause", strs(lawsuitCauses))
	add("LawsuitSide", strs(lawsuitSides))
	add("LawsuitOutcome", strs(lawsuitOutcomes))
	add("EscalationKind", strs(escalationKinds))
	add("MeasureTerm", strs(measureTerms))
	add("Matter", strs(matters))
	add("Choice", strs(choices))
	return out
}

func strs[T ~string](vs vocabulary[T]) []string {
	out := make([]string, len(vs))
	for i, x := range vs {
		out[i] = string(x)
	}
	return out
}
