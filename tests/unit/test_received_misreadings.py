"""Received lines real servers write that the reader got wrong, found while writing
test_received_chain_answers.py (a helper's mutation work, 2026-12-07), each with the answer a
reader of the header would give. What was at stake: a client address lost or taken from what
the client only claimed (the verdict then rests on the wrong address, or on none), a home
line not seen as one (the rule that a home line quoted by the provider is never "forged"
needs it), a provider's own server taken for a home line (the walk stops there), a login
missed.

The lines are as their sources give them (named beside each), unfolded."""

import pytest

from checks.received import handed_down, looks_dynamic, parse_chain, parse_received, walk

D = "Fri, 20 Nov 2026 05:05:33 +0000"


@pytest.mark.parametrize(
    ("line", "client", "rdns", "helo"),
    [
        # Exim writes the reverse name first and the greeting as helo= (SpamAssassin's
        # t/rcvd_parser.t): the DSL line's name was taken for its greeting and lost.
        (
            "from dsl092-076-133.bos1.dsl.speakeasy.net ([66.92.76.133] helo=pendaran.arborius.net)"
            f" by mail.example.com with esmtp (Exim 4.41) id 1CyLxY-0001Gr-00; {D}",
            "66.92.76.133",
            "dsl092-076-133.bos1.dsl.speakeasy.net",
            "pendaran.arborius.net",
        ),
        # CommuniGate Pro: the bracketed literal after HELO is what the client claimed; the
        # server saw the first one.
        (
            "from [128.114.2.223] (account user@example.edu HELO [10.10.10.10]) by"
            f" silver.ucsc.edu (CommuniGate Pro SMTP 4.3.7) with ESMTPSA id 1; {D}",
            "128.114.2.223",
            None,
            "10.10.10.10",
        ),
        # XMail writes the address with its port (t/rcvd_parser.t); read in qmail's form,
        # whose first word is the reverse name.
        (
            "from list.brainbuzz.com (63.146.189.86:23198) by mx1.yourtech.net with [XMail"
            f" 1.20 ESMTP Server] id <S72E> for <jm@jmason.org> from <x@example.com>; {D}",
            "63.146.189.86",
            "list.brainbuzz.com",
            "list.brainbuzz.com",
        ),
        # Ecelerity with no first word, and with the port after the address.
        (
            "from ([67.91.233.27:53798] helo=eclectic.kluge.net) by idunn.apache.osuosl.org"
            f" (envelope-from <x@example.com>) (ecelerity 2.2.2.45 r()) with ESMTP; {D}",
            "67.91.233.27",
            None,
            "eclectic.kluge.net",
        ),
        # Exim 3 wrote the port after a dot.
        (
            "from [63.251.66.24.63559] (helo=server.example.com) by mail.example.net with esmtp"
            f" (Exim 3.35 #1) id 17sr6O-0001ga-00; {D}",
            "63.251.66.24",
            None,
            "server.example.com",
        ),
    ],
)
def test_the_address_the_server_saw_and_the_names(line, client, rdns, helo):
    hop = parse_received(line)
    assert (hop.client_ip, hop.from_rdns, hop.from_helo) == (client, rdns, helo)


def test_an_exim_home_line_is_a_home_line():
    hop = parse_received(
        "from dsl092-076-133.bos1.dsl.speakeasy.net ([66.92.76.133] helo=pendaran.arborius.net)"
        f" by mail.example.com with esmtp (Exim 4.41) id 1CyLxY-0001Gr-00; {D}"
    )
    assert looks_dynamic(hop)


def test_ocns_own_mail_servers_are_no_home_line():
    # ocn.ad.jp names OCN's servers (phishing_pot sample-7272); its home lines are ocn.ne.jp.
    server = parse_received(
        "from mwb-ckd-mts-010c30.ocn.ad.jp (mwb-ckd-mts-010c30.ocn.ad.jp [153.138.239.71]) by"
        f" mx.example.com (Postfix) with ESMTPS id 1; {D}"
    )
    home = parse_received(
        "from WIN-7Q (p4099-ipngn1201tokyo.ocn.ne.jp [198.51.100.99]) by mx.example.com"
        f" (Postfix) with SMTP id 2; {D}"
    )
    assert (looks_dynamic(server), looks_dynamic(home)) == (False, True)


@pytest.mark.parametrize(
    "line",
    [
        # Exim's "authid" (phishing_pot sample-4379: the line has no "by" server and no
        # "with") and old Exim's "with asmtp".
        "from dedicated-zap1202561-1.zap-srv.com ([147.189.171.19] helo=WIN-0CTNQ3I8FKA)"
        f" id 1tEwjf-0002UD-A9 by authid <daniela.zurova@wiama.cz> for phishing@pot; {D}",
        "from [203.0.113.7] (helo=pc) by mail.example.net with asmtp (Exim 3.36 #1) id"
        f" 17sr6O-0001ga-00; {D}",
    ],
)
def test_a_login_exim_records_is_a_login(line):
    assert parse_received(line).authenticated


def test_a_filter_writing_by_localhost_does_not_stop_the_walk():
    # Postfix with amavisd-new (phishing_pot sample-1022): the filter's lines say "by localhost";
    # the walk stopped there and never reached the login below, 20.240.44.186.
    d = "Tue, 1 Aug 2023 04:24:04 +0300"
    mail = "mail.itariannotifications.com"
    headers = [
        f"from {mail} (23.236.135.70) by DB8EUR05FT041.mail.protection.outlook.com"
        f" (10.233.239.195) with Microsoft SMTP Server id 15.20.6631.44; {d}",
        f"from localhost (localhost [127.0.0.1]) by {mail} (Postfix) with ESMTP id 9F9A; {d}",
        f"from {mail} ([127.0.0.1]) by localhost (itariannotifications.com [127.0.0.1])"
        f" (amavisd-new, port 10032) with ESMTP id xoNx; {d}",
        f"from localhost (localhost [127.0.0.1]) by {mail} (Postfix) with ESMTP id 4BED; {d}",
        f"from {mail} ([127.0.0.1]) by localhost (itariannotifications.com [127.0.0.1])"
        f" (amavisd-new, port 10026) with ESMTP id dsxA; {d}",
        "from swiswi.1zrwpc2wieaejphi2iew1ev1pb.gvxx.internal.cloudapp.net (unknown"
        f" [20.240.44.186]) by {mail} (Postfix) with ESMTPSA id CACF; {d}",
    ]
    chain = handed_down(walk(parse_chain(headers)))
    assert [h.index for h in chain] == [4, 3, 2, 1, 0]
    assert chain[-1].authenticated and chain[-1].client_ip == "20.240.44.186"


def test_a_line_by_localhost_from_another_address_is_not_vouched_for():
    # "localhost" names no server: a line claiming to be written by it about a public client
    # is what any sender can write below the entry.
    d = "Tue, 1 Aug 2023 04:24:04 +0300"
    headers = [
        f"from mx.sender.example (198.51.100.20) by mx1.recipient.example with ESMTPS id 1; {d}",
        f"from localhost (localhost [127.0.0.1]) by mx.sender.example (Postfix) id 2; {d}",
        f"from pc (p1-ipngn1.ocn.ne.jp [203.0.113.45]) by localhost with SMTP id 3; {d}",
    ]
    assert [h.index for h in handed_down(walk(parse_chain(headers)))] == [1]


def test_aliyuns_greeting_ends_at_its_parenthesis():
    # rf-peixoto/phishing_pot (a mail through Aliyun's DirectMail): the greeting was read as
    # "srv01(mailfrom:daiane@e.seguro-autoo.com", the sender's address taken into a host name.
    hop = parse_received(
        "from srv01(mailfrom:daiane@e.seguro-autoo.com fp:SMTPD_-VHcBUOx-v5)"
        " by smtpdm.aliyun.com(127.0.0.1); Sat, 20 May 2023 18:15:35 +0800"
    )
    assert (hop.from_helo, hop.by, hop.client_ip) == ("srv01", "smtpdm.aliyun.com", None)


@pytest.mark.parametrize(
    ("line", "user"),
    [
        # CommuniGate Pro names the account that logged in (SpamAssassin's t/rcvd_parser.t).
        (
            "from [128.114.2.223] (account user@example.edu HELO [10.10.10.10]) by"
            f" silver.ucsc.edu (CommuniGate Pro SMTP 4.3.7) with ESMTPSA id 1; {D}",
            "user@example.edu",
        ),
        # Its webmail, and its XIMSS client over HTTP ("with HTTPU"): a browser that logged in.
        (
            "from [128.114.2.223] (account user@example.edu) by tin.ucsc.edu (CommuniGate Pro"
            f" WebUser 4.3.7) with HTTP id 109780632 for user@example.edu; {D}",
            "user@example.edu",
        ),
        (
            "from [1.2.3.4] (account user@example.com) by webmail.example.com (CommuniGate Pro"
            f" XIMSS 5.2.16) with HTTPU id 87581547 for user@example.org; {D}",
            "user@example.com",
        ),
        # The word alone, in a line with no login, makes none.
        (
            f"from mx.example.net (account report [192.0.2.7]) by mx.example.org with ESMTP; {D}",
            None,
        ),
    ],
)
def test_communigates_account_is_the_login_name(line, user):
    hop = parse_received(line)
    assert (hop.authenticated, hop.auth_user) == (user is not None, user)
