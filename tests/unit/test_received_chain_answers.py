"""Received lines and chains as real servers write them, each read exactly and in whole.

What this file pins, and why: the survivors of mutation testing (docs/mutation.md) in
checks/received.py were changes no test noticed because no test held the form that exercises
them: Postfix's TLS comment with "with cipher" inside it, Mail-in-a-Box's "authenticated-user",
Yahoo's "(user@ip with login)", Exim's "from localhost ([127.0.0.1] helo=name)", Exchange's
"with mapi", SquirrelMail's "with HTTP", Yahoo's own servers handing over "with HTTP",
Ecelerity's "[ip:port]", a clock at zero, and the chains below the entry: a message sent from
Gmail (its servers' "by 10.x" lines), from my.com's webmail through Exchange Online, from a
qmail server ("invoked from network"), and the three ways a line's "by" names the server the
line above received from (its address, its first label, another server of the same operator).

Every line is a real header from a public corpus (the source is named beside it), unchanged
but for the folding. Each answer is the whole of what the module reads: every fact of the
hop, its warnings, whether it is webmail; for a chain, the entry, the lines trusted and not,
the notes, the lines handed down and the sender's own.
"""

from checks import received
from checks.received import hands_over, org, parse_chain, parse_received, walk
from tests.platform import no_tzset


def _reading(line: str) -> tuple[dict, list[str], bool]:
    hop = parse_received(line)  # no index given: a single line is the first hop
    facts = hop.as_facts()
    assert facts.pop("raw") == " ".join(line.split())
    return facts, hop.warnings, hop.webmail


def _chain(headers: list[str]) -> dict:
    reading = walk(parse_chain(headers))
    return {
        "entry": reading.entry.index if reading.entry else None,
        "trusted": [h.index for h in reading.trusted],
        "untrusted": [h.index for h in reading.untrusted],
        "notes": reading.notes,
        "handed_down": [h.index for h in received.handed_down(reading)],
        "sender_chain": [h.index for h in received.sender_chain(reading)],
    }


def test_postfix_tls_comment_names_no_protocol_and_mail_in_a_box_login_is_read():
    # rf-peixoto/phishing_pot email/sample-2453.eml. "with cipher" inside Postfix's TLS comment
    # is no clause: the protocol is ESMTPSA, the login Mail-in-a-Box records as its client.
    line = (
        "from authenticated-user (box.lucidire.com [195.170.172.123])"
        " (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))"
        " (No client certificate requested)"
        " by box.lucidire.com (Postfix) with ESMTPSA id F2B71C4885"
        " for <phishing@pot>; Tue, 2 Jan 2024 12:10:41 -0800 (PST)"
    )
    assert _reading(line) == (
        {
            "index": 0,
            "from": "authenticated-user",
            "rdns": "box.lucidire.com",
            "client_ip": "195.170.172.123",
            "by": "box.lucidire.com",
            "with": "ESMTPSA",
            "authenticated": True,
            "auth_user": None,
            "time_utc": "2024-01-02T20:10:41+00:00",
        },
        [],
        False,
    )


def test_a_yahoo_login_beside_the_address_with_its_mechanism_is_a_login():
    # apache/spamassassin t.rules/FORGED_MUA_OUTLOOK/fp8. "with login" inside the address's
    # parentheses belongs to the from clause; the login name holds an "@" of its own.
    line = (
        "from unknown (HELO namePC) (myandsomename@provider.com@12.123.12.123 with login)"
        " by smtp804.mail.ukl.yahoo.com with SMTP; 11 Aug 2007 20:43:46 -0000"
    )
    assert _reading(line) == (
        {
            "index": 0,
            "from": "namePC",
            "rdns": None,
            "client_ip": "12.123.12.123",
            "by": "smtp804.mail.ukl.yahoo.com",
            "with": "SMTP",
            "authenticated": True,
            "auth_user": "myandsomename@provider.com",
            "time_utc": "2007-08-11T20:43:46+00:00",
        },
        ["time without zone, read as UTC"],  # "-0000": UTC, the sender's zone unknown
        False,
    )


def test_exim_names_a_loopback_client_localhost_and_the_name_it_greeted_with_is_kept():
    # apache/spamassassin t/data/nice/002: a list server re-injecting its own mail.
    line = (
        "from localhost ([127.0.0.1] helo=usw-sf-list1.sourceforge.net)"
        " by usw-sf-list1.sourceforge.net with esmtp (Exim 3.31-VA-mm2 #1 (Debian))"
        " id 16BujB-0003YE-00; Thu, 06 Dec 2001 01:22:01 -0800"
    )
    assert _reading(line) == (
        {
            "index": 0,
            "from": "usw-sf-list1.sourceforge.net",
            "rdns": None,
            "client_ip": "127.0.0.1",
            "by": "usw-sf-list1.sourceforge.net",
            "with": "esmtp",
            "authenticated": False,
            "auth_user": None,
            "time_utc": "2001-12-06T09:22:01+00:00",
        },
        [],
        False,
    )


def test_outlook_submitting_through_exchange_with_mapi_is_a_login():
    # rf-peixoto/phishing_pot email/sample-731.eml: Exchange writes the protocol in lower case.
    line = (
        "from SVV-EX005.ruptly.de ([::1]) by SVV-EX005.ruptly.de ([::1]) with mapi"
        " id 15.01.2375.018; Wed, 31 May 2023 08:14:49 +0200"
    )
    assert _reading(line) == (
        {
            "index": 0,
            "from": "SVV-EX005.ruptly.de",
            "rdns": "svv-ex005.ruptly.de",
            "client_ip": "::1",
            "by": "svv-ex005.ruptly.de",
            "with": "mapi",
            "authenticated": True,
            "auth_user": None,
            "time_utc": "2023-05-31T06:14:49+00:00",
        },
        [],
        False,
    )


def test_a_squirrelmail_user_is_a_webmail_login_from_the_browsers_address():
    # apache/spamassassin t/data/nice/002.
    line = (
        "from 144.137.3.98 (SquirrelMail authenticated user jmmail) by jmason.org with HTTP;"
        " Thu, 6 Dec 2001 09:21:06 -0000 (GMT)"
    )
    assert _reading(line) == (
        {
            "index": 0,
            "from": "144.137.3.98",
            "rdns": None,
            "client_ip": "144.137.3.98",
            "by": "jmason.org",
            "with": "HTTP",
            "authenticated": True,
            "auth_user": "jmmail",
            "time_utc": "2001-12-06T09:21:06+00:00",
        },
        ["time without zone, read as UTC"],
        True,
    )


def test_yahoos_servers_handing_over_with_http_are_no_webmail_login():
    # rf-peixoto/phishing_pot email/sample-3287.eml: one Yahoo server to another, named only
    # by its greeting (no reverse name, no address): the same operator, so no browser.
    line = (
        "from sonic.gate.mail.ne1.yahoo.com by sonic301.consmr.mail.bf2.yahoo.com with HTTP;"
        " Sun, 9 Jun 2024 20:16:05 +0000"
    )
    assert _reading(line) == (
        {
            "index": 0,
            "from": "sonic.gate.mail.ne1.yahoo.com",
            "rdns": None,
            "client_ip": None,
            "by": "sonic301.consmr.mail.bf2.yahoo.com",
            "with": "HTTP",
            "authenticated": False,
            "auth_user": None,
            "time_utc": "2024-06-09T20:16:05+00:00",
        },
        [],
        False,
    )


def test_ecelerity_writes_the_port_beside_the_address_and_the_lan_literal_it_greeted_with():
    # rf-peixoto/phishing_pot email/sample-4149.eml (SparkPost): "[ip:port]" is the address
    # with the client's port; the greeting is the client's own LAN address.
    line = (
        "from [35.86.55.119] ([35.86.55.119:7115] helo=[10.88.44.192])"
        " by ge.mta2vsmtp.cc.prd.sparkpost (envelope-from <survey-noreply@lr.surveymonkeyuser.com>)"
        " (ecelerity 4.8.0.74147 r(msys-ecelerity:tags/4.8.0.4)) with ESMTPSA"
        " (cipher=AES-256-GCM) id E8/14-02628-CFD48076; Thu, 10 Oct 2024 21:58:20 +0000"
    )
    assert _reading(line) == (
        {
            "index": 0,
            "from": "10.88.44.192",
            "rdns": None,
            "client_ip": "35.86.55.119",
            "by": "ge.mta2vsmtp.cc.prd.sparkpost",
            "with": "ESMTPSA",
            "authenticated": True,
            "auth_user": None,
            "time_utc": "2024-10-10T21:58:20+00:00",
        },
        [],
        False,
    )


def test_a_clock_at_zero_gives_no_time_and_says_so():
    # Spamware on a PC whose clock reads the Unix epoch (a zero timestamp): the year is outside
    # the ones a mail can carry, so the line has no time rather than one from 1970.
    line = (
        "from DESKTOP-7Q2KJ3M ([192.168.1.23]) by DESKTOP-7Q2KJ3M with SMTP;"
        " Thu, 01 Jan 1970 00:00:00 +0000"
    )
    hop = parse_received(line)
    assert hop.time is None
    assert _reading(line) == (
        {
            "index": 0,
            "from": "DESKTOP-7Q2KJ3M",
            "rdns": None,
            "client_ip": "192.168.1.23",
            "by": "desktop-7q2kj3m",
            "with": "SMTP",
            "authenticated": False,
            "auth_user": None,
            "time_utc": None,
        },
        ["a time outside the years a mail can carry; not used"],
        False,
    )


@no_tzset
def test_a_hops_time_is_given_in_utc_whatever_the_machines_zone(tokyo_machine):
    # The facts go into the report and its comparisons as UTC, not as the PC's local time.
    hop = parse_received(
        "from a.example ([198.51.100.7]) by b.example with SMTP; Sat, 21 Nov 2026 14:04:58 +0900"
    )
    assert hop.as_facts()["time_utc"] == "2026-11-21T05:04:58+00:00"


def test_operators_under_several_domains_are_one_organisation():
    # Gmail's outgoing servers are under google.com, its reverse names under 1e100.net, its
    # users' addresses under gmail.com; Exchange Online under outlook.com and office365.com.
    assert [
        org(h)
        for h in (
            "nf-out-1516.google.com",
            "smtp.gmail.com",
            "mail-sor-f41.1e100.net",
            "BN9PR03CA0857.namprd03.prod.outlook.com",
            "BN9PR03CA0857.outlook.office365.com",
            "sonic301.consmr.mail.bf2.yahoo.com",
            "a8-30.smtp-out.amazonses.com",
            "box.lucidire.com",
        )
    ] == ["google", "google", "google", "microsoft", "microsoft", "yahoo", "amazon", "lucidire.com"]


def test_a_mail_sent_from_gmail_is_followed_down_gmails_own_lines():
    # apache/spamassassin t.rules/BOUNCE_MESSAGE/fp-bug5882-att4300. Gmail's servers write
    # lines to themselves with no client: one by the outgoing server's name, one by an
    # internal address. Both are Gmail's; only the first is under Gmail's name.
    headers = [
        "from nf-out-1516.google.com (nf-out-1516.google.com [64.233.182.166]) by mail.ijs.si"
        " (Postfix) with ESMTP id 7F9BF67DF5D for <uuu@ijs.si>;"
        " Mon, 14 Apr 2008 16:12:10 +0200 (CEST)",
        "by nf-out-1516.google.com with SMTP id d20so261529nfh.8 for <uuu@ijs.si>;"
        " Mon, 14 Apr 2008 07:12:10 -0700 (PDT)",
        "by 10.67.115.3 with SMTP id s3mr187054ugm.1.1208182330209;"
        " Mon, 14 Apr 2008 07:12:10 -0700 (PDT)",
    ]
    assert _chain(headers) == {
        "entry": 2,
        "trusted": [2],
        "untrusted": [1, 0],
        "notes": ["2 older Received line(s) were written by the sending side and are not trusted"],
        "handed_down": [1, 0],
        "sender_chain": [1],
    }


def test_my_com_webmail_through_exchange_online_is_followed_to_the_browser():
    # rf-peixoto/phishing_pot email/sample-392.eml: typed in my.com's webmail, handed to
    # Exchange Online, forwarded by a mailbox there to picture.com.br. Microsoft's lines vouch
    # for my.com's; my.com's webmail line names no client but is a login.
    headers = [
        "from mx01.picture.com.br (mx01.picture.com.br [200.229.128.61]) by imap04.picture.com.br"
        " (Postfix) with ESMTP id 8DF1830 for <phishing@pot>; Sat, 18 Feb 2023 20:02:33 -0300 (-03)",
        "from NAM12-DM6-obe.outbound.protection.outlook.com"
        " (mail-dm6nam12lp2168.outbound.protection.outlook.com [104.47.59.168])"
        " (using TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits))"
        " (No client certificate requested) by mx02.picture.com.br (Postfix) with ESMTPS"
        " id B8B67FF922 for <phishing@pot>; Sat, 18 Feb 2023 20:02:12 -0300 (-03)",
        "from BN9PR03CA0857.namprd03.prod.outlook.com (2603:10b6:408:13d::22)"
        " by CPUP215MB1702.LAMP215.PROD.OUTLOOK.COM (2603:10d6:103:d4::5) with"
        " Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384)"
        " id 15.20.6111.18; Sat, 18 Feb 2023 23:02:09 +0000",
        "from BN1NAM02FT003.eop-nam02.prod.protection.outlook.com (2603:10b6:408:13d:cafe::11)"
        " by BN9PR03CA0857.outlook.office365.com (2603:10b6:408:13d::22) with Microsoft SMTP"
        " Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384)"
        " id 15.20.6111.18 via Frontend Transport; Sat, 18 Feb 2023 23:02:08 +0000",
        "from f7.my.com (185.30.176.197) by BN1NAM02FT003.mail.protection.outlook.com"
        " (10.13.2.122) with Microsoft SMTP Server (version=TLS1_2,"
        " cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.6111.18 via Frontend"
        " Transport; Sat, 18 Feb 2023 23:02:07 +0000",
        "by f7.my.com with local (envelope-from <elisabeth@gmg.at>) id 1pTV6j-0005RW-84;"
        " Sun, 19 Feb 2023 00:51:01 +0300",
        "by e-aj.my.com with HTTP; Sun, 19 Feb 2023 00:51:00 +0300",
    ]
    assert _chain(headers) == {
        "entry": 5,
        "trusted": [6, 5],
        "untrusted": [4, 3, 2, 1, 0],
        "notes": ["5 older Received line(s) were written by the sending side and are not trusted"],
        "handed_down": [4, 3, 2, 1, 0],
        "sender_chain": [4, 3, 2],  # Microsoft's own; my.com's lines are another operator's
    }
    webmail = parse_chain(headers)[0]
    assert (webmail.authenticated, webmail.webmail, webmail.client_ip) == (True, True, None)


def test_qmails_line_to_itself_without_a_server_name_is_passed_over():
    # sisimai/set-of-emails maildir/bsd/lhost-x4-01.eml: "(qmail N invoked from network)" is
    # the sending server writing to itself; it names neither client nor server.
    headers = [
        "from smtpd-01.r3.p5.example.net ([192.0.2.23]:2222) by nekonyaan.example.com with esmtp"
        " (Exim 4.80) id AAAA22-0000PP-22 for nekonyaan@example.com;"
        " Thu, 17 Jul 2013 23:34:45 -0500",
        "(qmail 2200 invoked from network); 17 Jul 2013 23:34:45 -0000",
    ]
    assert _chain(headers) == {
        "entry": 1,
        "trusted": [1],
        "untrusted": [0],
        "notes": ["1 older Received line(s) were written by the sending side and are not trusted"],
        "handed_down": [0],
        "sender_chain": [],  # no server named: nothing of the sender's organisation
    }


def test_a_line_by_the_address_the_line_above_received_from_is_its_hand_over():
    # apache/spamassassin t/data/spam/015: the client names itself by its address.
    above = parse_received(
        "from CM-vtr0-104-67.cm.vtr.net (unknown [200.83.104.67]) by eclectic.kluge.net"
        " (Postfix) with SMTP id 23F574480F4 for <user@example.com>;"
        " Thu, 2 Dec 2004 10:55:53 -0500 (EST)"
    )
    below = parse_received("from 196.170.26.200 by 200.83.104.67; Thu, 02 Dec 2004 10:55:50 -0500")
    elsewhere = parse_received(
        "from 196.170.26.200 by 200.83.104.68; Thu, 02 Dec 2004 10:55:50 -0500"
    )
    assert (hands_over(above, below), hands_over(above, elsewhere)) == (True, False)


def test_a_line_by_the_first_label_of_the_name_above_is_its_hand_over():
    # rf-peixoto/phishing_pot email/sample-7272.eml: OCN's relays name themselves by their
    # host name alone ("by mwb-vc-mts-007c1") below "from mwb-vc-mts-007c1.ocn.ad.jp".
    above = parse_received(
        "from mwb-vc-mts-007c1.ocn.ad.jp ([210.154.198.172]) by mwb-spm-mts-001c1 with ngmta"
        " id 64d9c8b8-189a3bdf09a96647; Fri, 06 Mar 2026 20:07:12 +0900"
    )
    below = parse_received(
        "from mwb-sdgw-mts-004c1.ocn.ad.jp ([210.145.253.204]) by mwb-vc-mts-007c1 with ngmta"
        " id 2d047c1e-189a3bdf0505628c; Fri, 06 Mar 2026 20:07:12 +0900"
    )
    # The same two lines the other way round: "mwb-spm-mts-001c1" is not the client above.
    assert (hands_over(above, below), hands_over(below, above)) == (True, False)


def test_a_line_above_without_a_client_name_hands_over_to_its_operators_servers():
    # rf-peixoto/phishing_pot email/sample-392.eml: my.com's line to itself names no client;
    # the line below is by another of my.com's servers, so it is that server's hand-over.
    above = parse_received(
        "by f7.my.com with local (envelope-from <elisabeth@gmg.at>) id 1pTV6j-0005RW-84;"
        " Sun, 19 Feb 2023 00:51:01 +0300"
    )
    below = parse_received("by e-aj.my.com with HTTP; Sun, 19 Feb 2023 00:51:00 +0300")
    stranger = parse_received("by e-aj.mail.example with HTTP; Sun, 19 Feb 2023 00:51:00 +0300")
    assert (hands_over(above, below), hands_over(above, stranger)) == (True, False)


def test_gmails_web_interface_is_a_webmail_login_with_no_client_named():
    # mikel/mail spec/fixtures/emails/mime_emails/raw_email2.eml: Gmail's line for a message
    # typed in the browser names no client, only Gmail's internal server by its address.
    line = "by 10.36.5.10 with HTTP; Sun, 8 May 2005 12:09:11 -0700 (PDT)"
    assert _reading(line) == (
        {
            "index": 0,
            "from": None,
            "rdns": None,
            "client_ip": None,
            "by": "10.36.5.10",
            "with": "HTTP",
            "authenticated": True,
            "auth_user": None,
            "time_utc": "2005-05-08T19:09:11+00:00",
        },
        [],
        True,
    )


def test_aliyuns_line_with_its_comment_glued_to_the_server_name_is_aliyuns_own():
    # rf-peixoto/phishing_pot email/sample-681.eml: Alibaba Cloud's DirectMail writes
    # "by smtpdm.aliyun.com(127.0.0.1)", the comment glued to the name; the name alone is the
    # server, one of Aliyun's like the one that handed the mail to Exchange Online.
    headers = [
        "from SA3PR19MB7323.namprd19.prod.outlook.com (2603:10b6:806:307::20)"
        " by MN0PR19MB6312.namprd19.prod.outlook.com with HTTPS; Sat, 20 May 2023 10:15:40 +0000",
        "from FR0P281CA0161.DEUP281.PROD.OUTLOOK.COM (2603:10a6:d10:b3::8)"
        " by SA3PR19MB7323.namprd19.prod.outlook.com (2603:10b6:806:307::20) with Microsoft SMTP"
        " Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.6433.6;"
        " Sat, 20 May 2023 10:15:39 +0000",
        "from VI1EUR06FT042.eop-eur06.prod.protection.outlook.com (2603:10a6:d10:b3:cafe::ce)"
        " by FR0P281CA0161.outlook.office365.com (2603:10a6:d10:b3::8) with Microsoft SMTP Server"
        " (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.6433.7 via"
        " Frontend Transport; Sat, 20 May 2023 10:15:38 +0000",
        "from out208-121.dm.aliyun.com (140.205.208.121) by VI1EUR06FT042.mail.protection.outlook.com"
        " (10.13.6.221) with Microsoft SMTP Server (version=TLS1_2,"
        " cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.6433.10 via Frontend Transport;"
        " Sat, 20 May 2023 10:15:37 +0000",
        "from srv01(mailfrom:daiane@e.seguro-autoo.com fp:SMTPD_-VHcBUOx-v5)"
        " by smtpdm.aliyun.com(127.0.0.1); Sat, 20 May 2023 18:15:35 +0800",
    ]
    assert _chain(headers) == {
        "entry": 1,
        "trusted": [4, 3, 2, 1],
        "untrusted": [0],
        "notes": ["1 older Received line(s) were written by the sending side and are not trusted"],
        "handed_down": [0],
        "sender_chain": [0],
    }


def test_a_filter_writing_to_the_loopback_under_a_name_the_line_above_never_gave_is_not_vouched_for():
    # sisimai/set-of-emails maildir/bsd/lhost-mfilter-02.eml: Digital Arts' m-FILTER. Its line
    # is to the loopback, but "m-FILTER" is neither smtp1 nor smtp2, nor any address: nothing
    # in the line above says the mail came through it.
    headers = [
        "from smtp2.example.co.jp (smtp1.example.co.jp [192.0.2.80]) by mx.example.jp (Postfix)"
        " with ESMTP id 0000000000 for <shironeko@example.jp>;"
        " Thu, 29 Apr 2011 23:34:45 +0900 (JST)",
        "from 127.0.0.1 (127.0.0.1) by m-FILTER with ESMTP; Thu, 29 Apr 2011 23:34:45 +0900",
    ]
    assert _chain(headers) == {
        "entry": 1,
        "trusted": [1],
        "untrusted": [0],
        "notes": ["1 older Received line(s) were written by the sending side and are not trusted"],
        "handed_down": [],
        "sender_chain": [],
    }


def test_a_line_naming_no_server_is_no_hand_over():
    # sisimai/set-of-emails maildir/bsd/lhost-x2-06.eml: the older line has a "from" and no
    # "by": no server says it wrote it, so the chain vouches for nothing below the entry.
    headers = [
        "from e3.rr.example.net [203.0.113.225] by r0.example.com [192.0.2.55] with SMTP"
        " (postmaster.v3.5.6) for <kijitora@neko.example.com>; Thu, 29 Apr 2005 23:34:45 +0000",
        "from e3.rr.example.net for kijitora@neko.example.com; Apr 29 23:34:45 2005 +0000",
    ]
    assert _chain(headers) == {
        "entry": 1,
        "trusted": [1],
        "untrusted": [0],
        "notes": ["1 older Received line(s) were written by the sending side and are not trusted"],
        "handed_down": [],
        "sender_chain": [],
    }
