"""The files of a new, empty board: site.yaml, one data file per schema of
the default theme, a welcome article and the section folders.

Every data file is valid as it stands and holds no entry: its comments say
what an entry looks like and how to add one (with `new`, or by hand), so
nothing made up ever reaches the board.  The answers fill in only what is
true of the branch: its name, unit, secretary, teams and study rule.
"""

from __future__ import annotations

import datetime as dt

from branchboard.command import command_name
from branchboard.scaffold.answers import Answers
from branchboard.scaffold.new import yaml_text

SECTIONS = (("news", "支部动态"), ("notices", "通知公告"), ("study", "学习园地"), ("experience", "经验交流"))
DATA_FILES = ("banners", "evaluations", "honors", "mailbox", "model_posts", "performance", "study")


def quoted(value: str) -> str:
    """The text as YAML reads it back, plain where it can be (as she would type it)."""
    return yaml_text(value) if value else '""'


def board_files(answers: Answers, today: dt.date, site_arg: str) -> dict[str, str]:
    """Path in the new folder -> its text; ``site_arg``: the folder as the
    commands in the comments name it (--site 机电队)."""
    run = f"{command_name()} {{}} --site {site_arg}"
    files = {"site.yaml": site_yaml(answers, run)}
    for name in DATA_FILES:
        files[f"data/{name}.yaml"] = DATA_TEXTS[name](answers, today, run)
    files[f"content/news/{today:%Y-%m-%d}-欢迎.md"] = welcome_article(answers, today)
    return files


def site_yaml(answers: Answers, run: str) -> str:
    footer = answers.organization + (f" · 支部书记 {answers.secretary}" if answers.secretary else "")
    sections = "\n".join(f"  - {{id: {i}, title: {t}}}" for i, t in SECTIONS)
    shape = ("大屏是竖着挂的（竖屏）：每张幻灯片的内容排成一列，条数可以多一些"
             if answers.portrait else "大屏是横着挂的（横屏）")
    counts = (8, 6) if answers.portrait else (6, 4)
    return f"""\
# 网站设置。改完保存后运行 {run.format("build")} 重新生成。
title: {quoted(answers.name + "宣传栏")}
organization: {quoted(answers.organization)}
language: zh-CN
theme: default
author: {quoted(answers.secretary)}      # 新建文章时默认的作者
page_size: 8           # 栏目列表每页显示几篇
footer: {quoted(footer)}

# 栏目：id 是 content 下的文件夹名，title 是显示的栏目名，顺序就是导航顺序
sections:
{sections}

# 光荣榜除革新能手、生产标兵、高产班组、星级职工以外，本支部还评选的称号，例如：
# honor_titles: [安全卫士]

# 职工信箱页面上的“怎样来信”，例如：信箱设在哪里、什么时候开箱、多久答复
mailbox_intro: ""

# 会议室大屏（网页底部的“大屏播放”）：按下面的顺序一张一张轮流播放；
# 没有内容的一张自动不播放，什么都没有时显示支部名称、标语和时钟。
# {shape}。
#   type 可以写：honors 光荣榜、model_posts 党员示范岗、performance 绩效考核、study 学习培训、
#        banner 条幅、notices 重要通知（置顶的文章）、articles 最新文章、mailbox 职工信箱、evaluation 半年考评
#   seconds 停留几秒，count 最多几条，from、until 只在这段日期里播放（日期写成 2026-12-01）
# 不需要大屏时写 screen: false
screen:
  seconds: 15
  reload_minutes: 10
  slogan: 不忘初心　牢记使命
  slides:
    - type: honors
      seconds: 20
    - type: model_posts
      seconds: 20
    - type: performance
    - type: study
      count: {counts[0]}
    - type: notices
      seconds: 20
    - type: banner
      seconds: 10
    - type: articles
      count: {counts[1]}
      seconds: 20
    - type: mailbox
      count: 4
      seconds: 20
    - type: evaluation

# 大屏底部的滚动字幕，一条一行，例如：
#   - 安全生产　警钟长鸣
# 学习培训的时间地点（data/study.yaml 的安排）和悬挂中的条幅会自动接在后面，不用在这里再写。
ticker: []
"""


def welcome_article(answers: Answers, today: dt.date) -> str:
    sections = "、".join(t for _i, t in SECTIONS)
    return f"""\
---
标题: {quoted(answers.name + "宣传栏开通了")}
日期: {today:%Y-%m-%d}
作者: {quoted(answers.secretary)}
摘要: 支部的动态、通知、学习安排和光荣榜，都会在这里及时发布。
---

{answers.name}宣传栏开通了。这里设有{sections}等栏目，支部的工作动态、通知公告、学习培训安排和光荣榜都会在这里及时发布。

欢迎全体党员和职工经常来看，有意见建议可以通过职工信箱反映。
"""


def _honors(answers: Answers, today: dt.date, run: str) -> str:
    team = answers.teams[0] if answers.teams else "甲班"
    return f"""\
# 光荣榜 · 星级职工评选台
#
# 每一期以“- 期次:”开头，下面的“表彰:”列出本期上榜的人和班组。
# 新增一期：运行 {run.format("new honor")}，再把“待填写”改成实际内容。
#   要写明期次：{run.format("new honor --期次 " + f"{today.year}年{today.month}月")}
# 每条表彰以“- 称号:”开头，各行写法：
#   称号 —— 只能是：革新能手、生产标兵、高产班组、星级职工 四种之一
#   姓名 —— 获表彰的职工；“高产班组”不写姓名
#   班组 —— “高产班组”必须写班组；其他称号可写可不写
#   星级 —— 只有“星级职工”写，1 到 5 的数字
#   事迹 —— 一句话写清做了什么
#   奖励 —— 如：奖金500元、荣誉证书
#   照片 —— 可不写；要写就先把照片放进 data/photos/，这里写 photos/姓名.jpg
# 写好的一期是这个样子（每行开头没有 # 号）：
#
# - 期次: {today.year}年{today.month}月
#   日期: {today:%Y-%m-%d}
#   表彰:
#     - 称号: 生产标兵
#       姓名: 张三
#       班组: {team}
#       事迹: 一句话写清做了什么。
#       奖励: 奖金500元
#
# 日期写成 2026-09-05 这样的格式；冒号后面要有一个空格。
"""


def _study(answers: Answers, today: dt.date, run: str) -> str:
    rule = answers.study
    head = f"""\
# 学习培训
#
# 本文件分两部分：
#   安排 —— 固定的学习时间、地点和主讲人：从开始日期起，每周在这几天学习。
#   课程 —— 每一次课的具体内容，每次课以“- 日期:”开头。
#
# 新增一次课：运行 {run.format("new study")}，再把“待填写”改成实际内容。
# 临时加课：{run.format("new study --加课 " + f"{today:%Y-%m-%d}")}
# 某次课取消：{run.format("new study --取消 " + f"{today:%Y-%m-%d}" + " --原因 停电检修")}
# 也可以在“课程:”下面照着这个样子加一段（每行开头没有 # 号）：
#   - 日期: {today:%Y-%m-%d}
#     主题: 学习党章
#     主讲: 张三
#     文章: study/文章文件名.md     （学习园地里有对应文章时写）
# 日期写成 2026-09-02 这样的格式；时间要加英文引号，如 "16:30"。

"""
    if rule is None:
        return head + f"""\
# 有每周固定的学习时，删掉下面几行开头的 # 号再改：
# 安排:
#   星期: [周三, 周五]
#   时间: "16:30"
#   地点: 队部会议室
#   开始: {today:%Y-%m-%d}

课程:
"""
    lines = ["安排:", f"  星期: [{', '.join(rule.weekdays)}]"]
    lines += [f'  时间: "{rule.time}"'] if rule.time else ['  # 时间: "16:30"']
    lines += [f"  地点: {quoted(rule.place)}"] if rule.place else ["  # 地点: 队部会议室"]
    lines += [f"  主讲: {quoted(answers.secretary)}"] if answers.secretary else ["  # 主讲: 张三"]
    lines += [f"  开始: {today:%Y-%m-%d}", "  # 结束: 2027-01-29     （有结束日期时写）", "", "课程:", ""]
    return head + "\n".join(lines)


def _performance(answers: Answers, today: dt.date, run: str) -> str:
    teams = "".join(f"\n  - {quoted(t)}" for t in answers.teams) or " []"
    return f"""\
# 绩效考核
#
# 本文件分三部分：
#   班组   —— 参加考核的班组名单，每个班组一行，以“- ”开头。
#   大项   —— 考核细则：每个大项下有若干小项，每个小项写明满分（分值）；
#             班组当月得分 = 全部小项分值之和 − 扣分 + 加分。
#   考核期 —— 每月一期，记录本月各班组的扣分和加分。
# 第一次写考核细则时，把“大项: []”换成下面这个样子（每行开头没有 # 号）：
# 大项:
#   - id: A
#     名称: 安全管理
#     小项:
#       - id: A01
#         名称: 劳动防护用品正确佩戴
#         分值: 5
# 第一次写考核期时，把“考核期: []”换成：
# 考核期:
#   - 期次: {today.year}年{today.month}月
#     日期: {today:%Y-%m-%d}
#     扣分:
#       - 班组: {answers.teams[0] if answers.teams else "甲班"}
#         小项: A01
#         分数: 1
#         原因: 一句话写清时间和事实
#     加分: []
# 冒号后面要有一个空格；同一级的行缩进要对齐。

班组:{teams}
大项: []
考核期: []
"""


def _list_file(title: str, about: str, example: str, kind: str = ""):
    """A data file that is one list: its header, then how an entry looks.
    ``about`` may name ``{new}``: the `new` command that adds an entry of ``kind``."""
    def text(answers: Answers, today: dt.date, run: str) -> str:
        team = answers.teams[0] if answers.teams else "甲班"
        shown = example.format(today=today, team=team).splitlines()
        notes = about.format(new=run.format(f"new {kind}"))
        return (f"# {title}\n#\n{notes}# 写好的一项是这个样子（每行开头没有 # 号）：\n#\n"
                + "".join(f"# {line}\n" for line in shown))
    return text


DATA_TEXTS = {
    "honors": _honors,
    "study": _study,
    "performance": _performance,
    "mailbox": _list_file("职工信箱", """\
# 职工来信逐条登记在这里，每条以“- 日期:”开头，不写来信人姓名。
# 新增一条：运行 {new}，再把“待填写”改成实际内容。
# 状态只能写：已受理、办理中、已办结；答复后写上 回复 和 回复日期。
""", """\
- 日期: {today:%Y-%m-%d}
  主题: 一句话概括
  类别: 生产建议
  内容: 来信的主要内容
  状态: 已受理""", kind="mailbox"),
    "model_posts": _list_file("党员示范岗", """\
# 每个示范岗一项，以“- 岗位:”开头；照片放在 data/photos/ 文件夹里。
""", """\
- 岗位: 示范岗名称
  带头人: 负责这个岗位的党员
  班组: {team}
  照片: photos/姓名.jpg
  承诺: 写具体能做到、职工能检查的事
  设岗日期: {today:%Y-%m-%d}"""),
    "banners": _list_file("条幅", """\
# 厂区、车间悬挂的宣传条幅登记在这里，每条以“- 内容:”开头。
#   尺寸 —— 宽x高，如 600x70cm；样式 —— 红底黄字、红底白字、白底红字 三种之一
#   开始、结束 —— 悬挂的日期；单字打印 —— 每个字单独打印时写 A4 或 A3
""", """\
- 内容: 不忘初心　牢记使命
  尺寸: 600x70cm
  样式: 红底黄字
  开始: {today:%Y-%m-%d}"""),
    "evaluations": _list_file("半年考评（职工满意度测评）", """\
# 每半年一期，以“- 期次:”开头；每个测评项目写满意、基本满意、不满意的票数。
""", """\
- 期次: {today.year}年上半年
  日期: {today:%Y-%m-%d}
  应参评人数: 80
  实参评人数: 76
  测评项目:
    - 名称: 支部班子团结协作
      满意: 60
      基本满意: 14
      不满意: 2"""),
}
assert set(DATA_TEXTS) == set(DATA_FILES)
