"""Plausible Chinese names for demo engineers, drawn from a caller's random generator."""
from __future__ import annotations

import random

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋"
            "蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹"
            "薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = ("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鹏辉斌宇浩凯健俊帆帅旭宁龙林欣"
         "佳琳晨阳文博志远海波建国立新永嘉怡思雨晓峰子轩梓涵宏毅振东家乐天翔雪梅春生德福瑞")


def chinese_name(rng: random.Random) -> str:
    """A surname and a one- or two-character given name."""
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(SURNAMES) + given


def mobile_number(rng: random.Random) -> str:
    """A mainland mobile number in E.164, as the product stores numbers (accounts.phone)."""
    return "+86" + rng.choice(("138", "139", "150", "186", "177", "135")) + f"{rng.randrange(10**8):08d}"
