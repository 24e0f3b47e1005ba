//! Synthetic articles for the search benchmark: deterministic, ~2 KB each, mixed
//! Chinese and English, built from word lists (nothing downloaded), with planted
//! terms whose every occurrence is known, for recall.

/// Chinese words of one to four characters, news vocabulary.
pub const ZH: &[&str] = &[
    "中国",
    "俄罗斯",
    "美国",
    "日本",
    "欧洲",
    "政府",
    "官员",
    "表示",
    "会议",
    "经济",
    "发展",
    "合作",
    "国际",
    "安全",
    "问题",
    "关系",
    "报道",
    "记者",
    "消息",
    "地区",
    "社会",
    "市场",
    "企业",
    "投资",
    "贸易",
    "出口",
    "增长",
    "政策",
    "改革",
    "技术",
    "能源",
    "环境",
    "气候",
    "城市",
    "人民",
    "领导人",
    "总统",
    "外交部",
    "发言人",
    "声明",
    "军事",
    "演习",
    "边境",
    "战争",
    "和平",
    "谈判",
    "协议",
    "选举",
    "民主",
    "法律",
    "法院",
    "警方",
    "调查",
    "事件",
    "抗议",
    "学生",
    "大学",
    "教育",
    "医院",
    "疫情",
    "疫苗",
    "病毒",
    "卫生",
    "科学",
    "研究",
    "数据",
    "网络",
    "平台",
    "公司",
    "银行",
    "货币",
    "通胀",
    "利率",
    "就业",
    "工人",
    "农民",
    "粮食",
    "价格",
    "房地产",
    "债务",
    "危机",
    "风险",
    "未来",
    "历史",
    "文化",
    "媒体",
    "新闻",
    "自由",
    "人权",
    "审查",
    "的",
    "了",
    "在",
    "是",
    "和",
    "对",
    "将",
    "也",
    "与",
    "为",
    "上",
    "中",
    "这",
    "他们",
    "我们",
    "一个",
    "已经",
    "可能",
    "目前",
    "今年",
    "去年",
    "周一",
    "周二",
    "周三",
    "周四",
    "周五",
    "北京",
    "上海",
    "香港",
    "台湾",
    "新疆",
    "西藏",
    "莫斯科",
    "华盛顿",
    "东京",
    "首尔",
    "布鲁塞尔",
    "联合国",
    "北约",
    "欧盟",
    "央行",
    "议会",
    "部长",
    "总理",
    "主席",
    "专家",
    "分析人士",
];

/// English words.
pub const EN: &[&str] = &[
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "that",
    "for",
    "on",
    "with",
    "as",
    "was",
    "said",
    "government",
    "officials",
    "report",
    "market",
    "trade",
    "security",
    "military",
    "exercise",
    "election",
    "court",
    "police",
    "students",
    "energy",
    "climate",
    "economy",
    "growth",
    "policy",
    "reform",
    "technology",
    "network",
    "company",
    "bank",
    "inflation",
    "rates",
    "workers",
    "prices",
    "crisis",
    "risk",
    "history",
    "culture",
    "media",
    "freedom",
    "rights",
    "censorship",
    "archive",
    "analysts",
    "ministry",
    "statement",
    "talks",
    "agreement",
    "border",
    "peace",
    "investment",
    "exports",
    "data",
];

/// Terms planted into known articles, to measure recall: one- to four-character
/// Chinese terms (some made of common characters, so that they also occur by chance
/// inside other words) and English words.
pub const PLANTED: &[&str] = &[
    "普京",
    "习近平",
    "帕特鲁舍夫",
    "杨洁篪",
    "雾霾",
    "冀",
    "镕",
    "科普",
    "乌克兰",
    "军事合作",
    "粮食出口走廊",
    "京津冀",
    "熊猫",
    "长江",
    "茶叶",
    "龙井",
    "nechepurenko",
    "patrushev",
    "fsync",
    "deduplication",
];

/// A small deterministic generator (xorshift64*).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// One synthetic article.
pub struct Article {
    pub title: String,
    pub body: String,
    pub published_ms: i64,
}

/// Article `id` of the corpus (any id can be generated on its own, in any order).
pub fn article(id: usize) -> Article {
    let mut rng = Rng::new(0x9E37_79B9_7F4A_7C15 ^ (id as u64).wrapping_mul(0xD1B5_4A32_D192_ED03));
    // About one article in 200 gets a planted term, as a word of its first sentence.
    let planted = (rng.below(200) == 0).then(|| (PLANTED[rng.below(PLANTED.len())], rng.below(40)));
    let mut word_count = 0;
    let mut sentence = |rng: &mut Rng, words: usize| -> String {
        let mut out = String::new();
        for _ in 0..words {
            let word = match planted {
                Some((term, at)) if word_count == 6 + at => term,
                _ if rng.below(6) == 0 => EN[rng.below(EN.len())],
                _ => ZH[rng.below(ZH.len())],
            };
            word_count += 1;
            if word.is_ascii() {
                out.push(' ');
                out.push_str(word);
                out.push(' ');
            } else {
                out.push_str(word);
            }
        }
        out
    };
    let title = sentence(&mut rng, 6);
    let mut body = String::with_capacity(2300);
    while body.len() < 2000 {
        body.push_str("<p>");
        body.push_str(&sentence(&mut rng, 40));
        body.push_str("。</p>");
    }
    let published_ms = 1_640_995_200_000 + (rng.below(3 * 365 * 24) as i64) * 3_600_000;
    Article { title, body, published_ms }
}
