package domain

import (
	"fmt"
	"time"
)

// HoldJointMeeting records a joint meeting (联席会议) led by the compound's
// party branch with the committee and the property company: the "red
// committee" mechanism of the campaign. Its decisions are kept.
type HoldJointMeeting struct {
	MeetingID string   `json:"meeting_id"`
	Attendees []string `json:"attendees"`
	Decisions []string `json:"decisions"`
}

// JointMeetingHeld: the meeting and what it decided.
type JointMeetingHeld struct {
	MeetingID string    `json:"meeting_id"`
	Attendees []string  `json:"attendees"`
	Decisions []string  `json:"decisions"`
	At        time.Time `json:"at"`
}

func (cmd HoldJointMeeting) decide(c *Compound, _ RuleSet, at time.Time) ([]Event, error) {
	var v violations
	v.required("meeting_id", cmd.MeetingID)
	if len(cmd.Attendees) == 0 {
		v.invalid("attendees", "field.required", "attendees is required", "attendees 为必填项")
	}
	for i, d := range cmd.Decisions {
		v.required(fmt.Sprintf("decisions[%d]", i), d)
	}
	if c.party.Branch == "" {
		v.fail("", "joint_meeting.no_branch", "a joint meeting is led by the compound's party branch, which is not established", "联席会议由小区党支部牵头，小区尚未成立党支部")
	}
	if c.meetings[cmd.MeetingID] {
		v.fail("meeting_id", "joint_meeting.duplicate", "meeting %s is already recorded", "会议 %s 已登记", cmd.MeetingID)
	}
	return v.emit(JointMeetingHeld{MeetingID: cmd.MeetingID, Attendees: cmd.Attendees, Decisions: cmd.Decisions, At: at})
}

func (JointMeetingHeld) EventType() string { return "JointMeetingHeld" }
func (e JointMeetingHeld) apply(c *Compound) {
	if c.meetings == nil {
		c.meetings = map[string]bool{}
	}
	c.meetings[e.MeetingID] = true
}

// RecordTraining records committee members trained (业委会成员培训) by the
// housing department or the street.
type RecordTraining struct {
	Organiser string   `json:"organiser"`
	Members   []string `json:"members"` // candidate IDs of serving members
	Hours     int      `json:"hours"`
}

// TrainingRecorded: members attended a training.
type TrainingRecorded struct {
	Organiser string    `json:"organiser"`
	Members   []string  `json:"members"`
	Hours     int       `json:"hours"`
	At        time.Time `json:"at"`
}

func (cmd RecordTraining) decide(c *Compound, _ RuleSet, at time.Time) ([]Event, error) {
	var v violations
	v.required("organiser", cmd.Organiser)
	if cmd.Hours <= 0 {
		v.invalid("hours", "training.hours", "hours must be positive", "培训学时须为正数")
	}
	if !c.committee.active() {
		v.fail("", "committee.none", "no committee is serving", "无在任业委会")
		return nil, v.err()
	}
	if len(cmd.Members) == 0 {
		v.invalid("members", "field.required", "members is required", "members 为必填项")
	}
	for i, m := range cmd.Members {
		if indexOf(c.committee.serving.Members, m) < 0 {
			v.fail(fmt.Sprintf("members[%d]", i), "committee.not_member", "%s is not a serving member", "%s 不是在任委员", m)
		}
	}
	return v.emit(TrainingRecorded{Organiser: cmd.Organiser, Members: cmd.Members, Hours: cmd.Hours, At: at})
}

func (TrainingRecorded) EventType() string { return "TrainingRecorded" }
func (e TrainingRecorded) apply(c *Compound) {
	for _, m := range e.Members {
		c.committee.serving.trained[m] = true
	}
}

func init() {
	registerEvent[JointMeetingHeld]()
	registerEvent[TrainingRecorded]()
	registerCommand[HoldJointMeeting]("hold-joint-meeting")
	registerCommand[RecordTraining]("record-training")
}
