package demo

import (
	"fmt"
	"hash/fnv"

	"github.com/casetrack/casetrack/domain"
)

// Fictional names for the demo city; any likeness to real places or
// companies is a coincidence of common words.
var (
	districtNames = []string{"城东区", "城西区", "高新区", "滨江区", "北湖区", "南山区"}
	streetNames   = []string{"东湖街道", "望江街道", "文庙街道", "春熙街道", "新华街道", "红星街道", "建设街道", "和平街道", "光华街道",
		"龙泉镇", "金沙街道", "青羊街道", "东升街道", "西园街道", "玉林街道", "草堂街道", "府河街道", "锦官街道", "桂湖镇",
		"白鹭街道", "花园街道", "长青街道", "紫薇街道", "翠湖街道", "临江镇", "银河街道", "明月街道", "朝阳街道", "清水街道", "石桥镇"}
	communityStems = []string{"东", "西", "南", "北", "中", "新", "景", "兴", "安", "康", "乐", "福"}
	compoundStems  = []string{"阳光", "锦绣", "翠苑", "金色", "和平", "幸福", "滨江", "书香", "紫荆", "枫林", "银杏", "东方", "世纪",
		"御景", "碧水", "兰亭", "华府", "康城", "龙湾", "星河", "春江", "海棠", "桃源", "丽景", "恒泰", "嘉禾", "瑞安", "鸿福"}
	compoundTails = []string{"花园", "家园", "小区", "名苑", "新村", "雅居", "公寓", "华庭", "苑", "新城"}
	companyStems  = []string{"安居", "鑫泰", "嘉和", "宏远", "金盾", "绿城", "华信", "恒安", "瑞祥", "天诚", "诚信", "睿泽",
		"邦德", "民生", "合众", "永康", "德润", "佳美", "新纪元", "和顺"}
	surnames   = []string{"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗", "高"}
	givenNames = []string{"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "华", "建国",
		"桂兰", "志强", "海燕", "玉兰", "春梅"}
)

// fakeResident names the resident behind a demo complaint, from its key
// alone (not the generator's random stream, which would change the whole
// city): a name from the lists above and a phone number in 170-0000-xxxx,
// a block no real subscriber has, so that no demo number rings anyone. A
// problem a grid worker found on patrol has no complainant.
func fakeResident(key string, ch domain.Channel) (name, phone string) {
	if ch == domain.ChannelGrid {
		return "", ""
	}
	h := fnv.New32a()
	h.Write([]byte(key))
	n := h.Sum32()
	return surnames[n%uint32(len(surnames))] + givenNames[n/32%uint32(len(givenNames))], fmt.Sprintf("1700000%04d", n%10000)
}
