package domain

type VoteRules struct{}

func civilCodeVoteRules() VoteRules      { return VoteRules{} }
func regulation2018VoteRules() VoteRules { return VoteRules{} }
