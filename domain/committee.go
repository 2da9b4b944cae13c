package domain

type committeeState struct{}

func (s committeeState) active() bool { return false }

type CommitteeRules struct{}

func defaultCommitteeRules() CommitteeRules { return CommitteeRules{} }
